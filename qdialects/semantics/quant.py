"""Reference semantics of the `quant` dialect (numpy; equal to qonnx's execution).

Each `@impl` implements its op's docstring with the kernels of
`qdialects.semantics.kernels`. Values are numpy arrays: float tensors are computed in
float32 (as qonnx and onnxruntime do), tensors of integer or QONNX-datatype elements are
int64. Every result is returned in its result type's numpy dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.dialects.builtin import AnyFloat, Float64Type, TensorType
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls
from xdsl.ir import Attribute, SSAValue

from qdialects import quant
from qdialects.semantics import kernels
from qdialects.utils import ints


def numpy_dtype(type_: Attribute) -> np.dtype:
    """The numpy dtype holding values of a tensor type: float32 (float64 for f64 tensors)
    for float elements, int64 for integer and QONNX-datatype elements."""
    element = type_.element_type if isinstance(type_, TensorType) else type_
    if isinstance(element, Float64Type):
        return np.dtype(np.float64)
    if isinstance(element, AnyFloat):
        return np.dtype(np.float32)
    return np.dtype(np.int64)


def _result(value: SSAValue, array: Any) -> np.ndarray:
    """`array` as the numpy value of `value` (its dtype and, checked, its shape)."""
    result = np.asarray(array, dtype=numpy_dtype(value.type))
    if isinstance(value.type, TensorType):
        expected = tuple(value.type.get_shape())
        if result.shape != expected:
            raise ValueError(f"computed shape {result.shape}, result type says {expected}")
    return result


def _arg(value: Any, dtype: np.dtype) -> np.ndarray:
    return np.asarray(value, dtype=dtype)


def _float(value: Any) -> np.ndarray:
    """An operand of a float computation: float arrays keep their precision, integer
    arrays (QONNX-typed constants) become float32."""
    array = np.asarray(value)
    return array if array.dtype.kind == "f" else array.astype(np.float32)


def _flag(attr: Any) -> bool:
    return bool(attr.value.data)


@register_impls
class QuantFunctions(InterpreterFunctions):
    """One `@impl` per quant op; each implements exactly its op's docstring."""

    # ----------------------------------------------------------------------- constants

    @impl(quant.ConstantOp)
    def run_constant(
        self, interpreter: Interpreter, op: quant.ConstantOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (_result(op.result, op.numpy()),)

    # ----------------------------------------------------------------------- quantizers

    @impl(quant.QuantOp)
    def run_quant(
        self, interpreter: Interpreter, op: quant.QuantOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x, scale, zeropt, bitwidth = (_float(a) for a in args)
        _, y = kernels.int_quant(
            x,
            scale,
            zeropt,
            bitwidth,
            signed=_flag(op.signed),
            narrow=_flag(op.narrow),
            mode=op.rounding_mode.data,
        )
        return (_result(op.result, y),)

    @impl(quant.BipolarQuantOp)
    def run_bipolar_quant(
        self, interpreter: Interpreter, op: quant.BipolarQuantOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x, scale = (_float(a) for a in args)
        return (_result(op.result, kernels.bipolar_quant(x, scale)),)

    @impl(quant.TruncOp)
    def run_trunc(
        self, interpreter: Interpreter, op: quant.TruncOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x, scale, zeropt, in_bitwidth, out_bitwidth, *rest = (_float(a) for a in args)
        y = kernels.trunc(
            x,
            scale,
            zeropt,
            in_bitwidth,
            out_bitwidth,
            mode=op.rounding_mode.data,
            out_scale=rest[0] if rest else None,
            signed=_flag(op.signed),
            narrow=_flag(op.narrow),
        )
        return (_result(op.result, y),)

    @impl(quant.MultiThresholdOp)
    def run_multithreshold(
        self, interpreter: Interpreter, op: quant.MultiThresholdOp, args: tuple[Any, ...]
    ) -> PythonValues:
        v, thresholds = (np.asarray(a) for a in args)
        counts = kernels.multithreshold(v, thresholds, op.channel_axis())
        dtype = numpy_dtype(op.result.type)
        out_scale, out_bias = op.out_scale.value.data, op.out_bias.value.data
        if dtype.kind == "f":
            # qonnx: out_scale * count + out_bias, in the input's float precision.
            y = dtype.type(out_scale) * counts.astype(dtype) + dtype.type(out_bias)
        else:
            y = counts * int(out_scale) + int(out_bias)
        return (_result(op.result, y),)

    # ----------------------------------------------------------------------- linear algebra

    @impl(quant.ConvOp)
    def run_conv(
        self, interpreter: Interpreter, op: quant.ConvOp, args: tuple[Any, ...]
    ) -> PythonValues:
        dtype = numpy_dtype(op.result.type)
        x, weight, *bias = (_arg(a, dtype) for a in args)
        y = kernels.conv_nchw(
            x,
            weight,
            bias[0] if bias else None,
            strides=ints(op.strides),
            pads=ints(op.pads),
            dilations=ints(op.dilations),
            group=op.group.value.data,
        )
        return (_result(op.result, y),)

    @impl(quant.GemmOp)
    def run_gemm(
        self, interpreter: Interpreter, op: quant.GemmOp, args: tuple[Any, ...]
    ) -> PythonValues:
        dtype = numpy_dtype(op.result.type)
        a, b, *c = (_arg(v, dtype) for v in args)
        a = a.T if _flag(op.trans_a) else a
        b = b.T if _flag(op.trans_b) else b
        alpha, beta = op.alpha.value.data, op.beta.value.data
        y = dtype.type(alpha) * (a @ b) if alpha != 1.0 else a @ b
        if c:
            y = y + (dtype.type(beta) * c[0] if beta != 1.0 else c[0])
        return (_result(op.result, y),)

    @impl(quant.MatMulOp)
    def run_matmul(
        self, interpreter: Interpreter, op: quant.MatMulOp, args: tuple[Any, ...]
    ) -> PythonValues:
        dtype = numpy_dtype(op.result.type)
        a, b = (_arg(v, dtype) for v in args)
        return (_result(op.result, np.matmul(a, b)),)

    def _binary(self, op: quant.ElementwiseBinaryOp, args: tuple[Any, ...], ufunc: Any):
        dtype = numpy_dtype(op.result.type)
        lhs, rhs = (_arg(v, dtype) for v in args)
        return (_result(op.result, ufunc(lhs, rhs)),)

    @impl(quant.AddOp)
    def run_add(
        self, interpreter: Interpreter, op: quant.AddOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return self._binary(op, args, np.add)

    @impl(quant.SubOp)
    def run_sub(
        self, interpreter: Interpreter, op: quant.SubOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return self._binary(op, args, np.subtract)

    @impl(quant.MulOp)
    def run_mul(
        self, interpreter: Interpreter, op: quant.MulOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return self._binary(op, args, np.multiply)

    @impl(quant.DivOp)
    def run_div(
        self, interpreter: Interpreter, op: quant.DivOp, args: tuple[Any, ...]
    ) -> PythonValues:
        if numpy_dtype(op.result.type).kind == "f":
            return self._binary(op, args, np.divide)

        def truncating(lhs: np.ndarray, rhs: np.ndarray) -> np.ndarray:
            quotient = np.abs(lhs) // np.abs(rhs)
            return np.where((lhs < 0) != (rhs < 0), -quotient, quotient)

        return self._binary(op, args, truncating)

    @impl(quant.BatchNormOp)
    def run_batchnorm(
        self, interpreter: Interpreter, op: quant.BatchNormOp, args: tuple[Any, ...]
    ) -> PythonValues:
        dtype = numpy_dtype(op.result.type)
        x, scale, bias, mean, var = (_arg(v, dtype) for v in args)
        y = kernels.batchnorm(x, scale, bias, mean, var, op.epsilon.value.data)
        return (_result(op.result, y),)

    @impl(quant.ReluOp)
    def run_relu(
        self, interpreter: Interpreter, op: quant.ReluOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _arg(args[0], numpy_dtype(op.result.type))
        return (_result(op.result, np.maximum(x, x.dtype.type(0))),)

    @impl(quant.IdentityOp)
    def run_identity(
        self, interpreter: Interpreter, op: quant.IdentityOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (_result(op.result, args[0]),)

    # ----------------------------------------------------------------------- pooling

    @impl(quant.MaxPoolOp)
    def run_maxpool(
        self, interpreter: Interpreter, op: quant.MaxPoolOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _arg(args[0], numpy_dtype(op.result.type))
        y = kernels.max_pool(
            x,
            ints(op.kernel_shape),
            ints(op.strides),
            ints(op.pads),
            op.dilations(),
            ceil_mode=_flag(op.ceil_mode),
        )
        return (_result(op.result, y),)

    @impl(quant.AveragePoolOp)
    def run_avgpool(
        self, interpreter: Interpreter, op: quant.AveragePoolOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _float(args[0])
        y = kernels.avg_pool(
            x,
            ints(op.kernel_shape),
            ints(op.strides),
            ints(op.pads),
            ceil_mode=_flag(op.ceil_mode),
            count_include_pad=_flag(op.count_include_pad),
        )
        return (_result(op.result, y),)

    @impl(quant.GlobalAveragePoolOp)
    def run_global_avgpool(
        self, interpreter: Interpreter, op: quant.GlobalAveragePoolOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _float(args[0])
        axes = tuple(range(2, x.ndim))
        return (_result(op.result, x.mean(axis=axes, keepdims=True, dtype=x.dtype)),)

    @impl(quant.ReduceMeanOp)
    def run_reduce_mean(
        self, interpreter: Interpreter, op: quant.ReduceMeanOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _float(args[0])
        y = x.mean(axis=ints(op.axes), keepdims=_flag(op.keepdims), dtype=x.dtype)
        return (_result(op.result, y),)

    @impl(quant.ReduceMaxOp)
    def run_reduce_max(
        self, interpreter: Interpreter, op: quant.ReduceMaxOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _float(args[0])
        return (_result(op.result, x.max(axis=ints(op.axes), keepdims=_flag(op.keepdims))),)

    # ----------------------------------------------------------------------- float tails

    @impl(quant.SoftmaxOp)
    def run_softmax(
        self, interpreter: Interpreter, op: quant.SoftmaxOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _float(args[0])
        axis = op.axis.value.data
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return (_result(op.result, e / e.sum(axis=axis, keepdims=True, dtype=e.dtype)),)

    @impl(quant.ArgMaxOp)
    def run_argmax(
        self, interpreter: Interpreter, op: quant.ArgMaxOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = np.asarray(args[0])
        axis = op.axis.value.data
        if _flag(op.select_last_index):
            last = x.shape[axis] - 1
            index = last - np.argmax(np.flip(x, axis=axis), axis=axis, keepdims=True)
        else:
            index = np.argmax(x, axis=axis, keepdims=True)
        if not _flag(op.keepdims):
            index = np.squeeze(index, axis=axis)
        return (_result(op.result, index),)

    @impl(quant.SigmoidOp)
    def run_sigmoid(
        self, interpreter: Interpreter, op: quant.SigmoidOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _float(args[0])
        one = x.dtype.type(1)
        return (_result(op.result, one / (one + np.exp(-x))),)

    @impl(quant.ExpOp)
    def run_exp(
        self, interpreter: Interpreter, op: quant.ExpOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (_result(op.result, np.exp(_float(args[0]))),)

    # ----------------------------------------------------------------------- data movement

    @impl(quant.DepthToSpaceOp)
    def run_depth_to_space(
        self, interpreter: Interpreter, op: quant.DepthToSpaceOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _arg(args[0], numpy_dtype(op.result.type))
        y = kernels.depth_to_space(x, op.blocksize.value.data, op.mode.data)
        return (_result(op.result, y),)

    @impl(quant.ResizeOp)
    def run_resize(
        self, interpreter: Interpreter, op: quant.ResizeOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _arg(args[0], numpy_dtype(op.result.type))
        return (_result(op.result, kernels.upsample_nearest(x, ints(op.scales))),)

    @impl(quant.SliceOp)
    def run_slice(
        self, interpreter: Interpreter, op: quant.SliceOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _arg(args[0], numpy_dtype(op.result.type))
        ranges = zip(ints(op.starts), ints(op.ends), ints(op.steps), strict=True)
        return (_result(op.result, x[tuple(slice(b, e, s) for b, e, s in ranges)]),)

    @impl(quant.SplitOp)
    def run_split(
        self, interpreter: Interpreter, op: quant.SplitOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = np.asarray(args[0])
        cuts = np.cumsum(ints(op.sizes))[:-1]
        parts = np.split(x, cuts, axis=op.axis.value.data)
        return tuple(_result(r, p) for r, p in zip(op.outputs, parts, strict=True))

    @impl(quant.ReshapeOp)
    def run_reshape(
        self, interpreter: Interpreter, op: quant.ReshapeOp, args: tuple[Any, ...]
    ) -> PythonValues:
        shape = tuple(op.result.type.get_shape())  # pyright: ignore[reportAttributeAccessIssue]
        return (_result(op.result, np.reshape(args[0], shape)),)

    @impl(quant.FlattenOp)
    def run_flatten(
        self, interpreter: Interpreter, op: quant.FlattenOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = np.asarray(args[0])
        axis = op.axis.value.data
        rows = int(np.prod(x.shape[:axis], dtype=np.int64))
        return (_result(op.result, x.reshape(rows, -1) if x.size else x.reshape(rows, 0)),)

    @impl(quant.TransposeOp)
    def run_transpose(
        self, interpreter: Interpreter, op: quant.TransposeOp, args: tuple[Any, ...]
    ) -> PythonValues:
        return (_result(op.result, np.transpose(args[0], ints(op.perm))),)

    @impl(quant.ConcatOp)
    def run_concat(
        self, interpreter: Interpreter, op: quant.ConcatOp, args: tuple[Any, ...]
    ) -> PythonValues:
        dtype = numpy_dtype(op.result.type)
        parts = [_arg(a, dtype) for a in args]
        return (_result(op.result, np.concatenate(parts, axis=op.axis.value.data)),)

    @impl(quant.PadOp)
    def run_pad(
        self, interpreter: Interpreter, op: quant.PadOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _arg(args[0], numpy_dtype(op.result.type))
        y = kernels.pad_constant(x, ints(op.pads), op.value.value.data)
        return (_result(op.result, y),)

    @impl(quant.TopKOp)
    def run_topk(
        self, interpreter: Interpreter, op: quant.TopKOp, args: tuple[Any, ...]
    ) -> PythonValues:
        x = _arg(args[0], numpy_dtype(op.values.type))
        values, indices = kernels.topk(x, op.k.value.data, op.axis.value.data)
        return (_result(op.values, values), _result(op.indices, indices))
