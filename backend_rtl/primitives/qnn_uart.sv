// qnn_uart: one input and one output stream of the accelerator over a UART (8 data
// bits, no parity, one stop bit, least significant bit first; CLKS_PER_BIT clock cycles
// per bit, i.e. the clock frequency / the baud rate).
//
// In: rx bytes are gathered into words of IN_WIDTH bits, IN_BYTES = ceil(IN_WIDTH/8)
// bytes per word, least significant byte first (the packing of the C simulation's files
// and of the deployment's DMA buffers); a complete word waits in m_TDATA/m_TVALID until
// the accelerator takes it, while the next word's bytes arrive. A byte that completes a
// word while the previous complete word still waits is lost (the host sends one frame
// and waits for its results, and the accelerator takes a word faster than a UART brings
// one).
// Out: each s_TDATA word of OUT_WIDTH bits leaves as OUT_BYTES = ceil(OUT_WIDTH/8) bytes,
// least significant byte first (zero-padded); s_TREADY is high while no byte of an
// earlier word is left to send (the accelerator waits meanwhile).
module qnn_uart #(
    parameter int IN_WIDTH = 8,
    parameter int OUT_WIDTH = 8,
    parameter int CLKS_PER_BIT = 217  // at least 2
) (
    input  logic                 ap_clk,
    input  logic                 ap_rst_n,
    input  logic                 rx,
    output logic                 tx,
    output logic [ IN_WIDTH-1:0] m_TDATA,
    output logic                 m_TVALID,
    input  logic                 m_TREADY,
    input  logic [OUT_WIDTH-1:0] s_TDATA,
    input  logic                 s_TVALID,
    output logic                 s_TREADY
);
  localparam int IN_BYTES = (IN_WIDTH + 7) / 8;
  localparam int OUT_BYTES = (OUT_WIDTH + 7) / 8;
  localparam int COUNT_BITS = $clog2(CLKS_PER_BIT + 1);
  localparam int IN_COUNT_BITS = $clog2(IN_BYTES + 1);
  localparam int OUT_COUNT_BITS = $clog2(OUT_BYTES + 1);

  // ---------------------------------------------------------------- receiver
  logic [1:0] rx_sync;  // two flops against metastability
  logic rx_busy, rx_done;
  logic [COUNT_BITS-1:0] rx_wait;
  logic [3:0] rx_bit;  // 0: start bit, 1-8: data bits, 9: stop bit
  logic [7:0] rx_byte;

  always_ff @(posedge ap_clk) rx_sync <= {rx_sync[0], rx};

  always_ff @(posedge ap_clk) begin
    rx_done <= 1'b0;
    if (!ap_rst_n) begin
      rx_busy <= 1'b0;
    end else if (!rx_busy) begin
      if (!rx_sync[1]) begin  // a start bit: sample every bit in its middle (the line
        rx_busy <= 1'b1;  // reaches rx_sync[1] two cycles late)
        rx_bit  <= 4'd0;
        rx_wait <= COUNT_BITS'(CLKS_PER_BIT / 2 - 1);
      end
    end else if (rx_wait != 0) begin
      rx_wait <= rx_wait - 1'b1;
    end else begin
      rx_wait <= COUNT_BITS'(CLKS_PER_BIT - 1);
      rx_bit  <= rx_bit + 1'b1;
      if (rx_bit == 4'd0) begin
        if (rx_sync[1]) rx_busy <= 1'b0;  // a glitch, not a start bit
      end else if (rx_bit <= 4'd8) begin
        rx_byte <= {rx_sync[1], rx_byte[7:1]};
      end else begin
        rx_busy <= 1'b0;
        rx_done <= rx_sync[1];  // a byte counts only with its stop bit
      end
    end
  end

  // ---------------------------------------------------------------- bytes -> words
  logic [IN_BYTES*8-1:0] in_shift;
  logic [IN_COUNT_BITS-1:0] in_count;
  logic in_full;  // in_shift holds a complete word m_TDATA could not take yet

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      in_count <= '0;
      in_full  <= 1'b0;
      m_TVALID <= 1'b0;
    end else begin
      if (m_TVALID && m_TREADY) m_TVALID <= 1'b0;
      if (in_full && (!m_TVALID || m_TREADY)) begin
        m_TDATA  <= in_shift[IN_WIDTH-1:0];
        m_TVALID <= 1'b1;
        in_full  <= 1'b0;
      end
      if (rx_done && !in_full) begin
        in_shift <= (IN_BYTES * 8)'({rx_byte, in_shift} >> 8);  // the byte enters on top
        if (in_count == IN_COUNT_BITS'(IN_BYTES - 1)) begin
          in_count <= '0;
          in_full  <= 1'b1;
        end else begin
          in_count <= in_count + 1'b1;
        end
      end
    end
  end

  // ---------------------------------------------------------------- words -> bytes
  logic [OUT_BYTES*8-1:0] out_word;
  logic [OUT_COUNT_BITS-1:0] out_left;  // bytes of out_word not yet handed to the sender
  logic tx_busy;
  logic [COUNT_BITS-1:0] tx_wait;
  logic [3:0] tx_bit;
  logic [9:0] tx_shift;  // stop, data, start bits; bit 0 is on the line

  assign s_TREADY = out_left == 0;
  assign tx = tx_shift[0] || !ap_rst_n;  // idle (high) during reset

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      out_left <= '0;
      tx_busy  <= 1'b0;
      tx_shift <= 10'h3ff;
    end else begin
      if (s_TVALID && s_TREADY) begin
        out_word <= (OUT_BYTES * 8)'(s_TDATA);
        out_left <= OUT_COUNT_BITS'(OUT_BYTES);
      end
      if (!tx_busy && out_left != 0) begin
        tx_shift <= {1'b1, out_word[7:0], 1'b0};
        out_word <= out_word >> 8;
        out_left <= out_left - 1'b1;
        tx_busy  <= 1'b1;
        tx_bit   <= 4'd0;
        tx_wait  <= COUNT_BITS'(CLKS_PER_BIT - 1);
      end else if (tx_busy) begin
        if (tx_wait != 0) begin
          tx_wait <= tx_wait - 1'b1;
        end else begin
          tx_wait  <= COUNT_BITS'(CLKS_PER_BIT - 1);
          tx_shift <= {1'b1, tx_shift[9:1]};
          tx_bit   <= tx_bit + 1'b1;
          if (tx_bit == 4'd9) tx_busy <= 1'b0;
        end
      end
    end
  end
endmodule
