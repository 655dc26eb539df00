// qnn HLS template library -- umbrella header.
#ifndef QNN_QNN_H
#define QNN_QNN_H

#include "common.h"
#include "channelwise.h"
#include "dma.h"
#include "dwc.h"
#include "fmpadding.h"
#include "label_select.h"
#include "layout.h"
#include "mvau.h"
#include "pool.h"
#include "streams.h"
#include "swg.h"
#include "thresholding.h"
#include "vvau.h"

#endif  // QNN_QNN_H
