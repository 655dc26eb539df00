// qnn_axi_read: read DMA, AXI4 memory-mapped master -> AXI4-Stream. On `start` it reads
// the buffer at `base` (frames * WPF stream words of W bits, each in ceil(W/8) bytes,
// least significant byte first, packed back to back in BUS_W-bit bus words: the layout of
// backend_hls/runtime/packing.py) and sends the words on m_axis with TLAST on the last
// word of every frame. One single-beat read (ARLEN 0) in flight at a time: simple and
// correct on any AXI4 slave, about one bus word per read latency. `busy` is high from the
// cycle after `start` until the last word is sent.
module qnn_axi_read #(
    parameter int BUS_W = 64,
    parameter int W = 8,
    parameter int WPF = 1
) (
    input  logic             ap_clk,
    input  logic             ap_rst_n,
    input  logic             start,
    input  logic [63:0]      base,
    input  logic [31:0]      frames,
    output logic             busy,
    output logic [63:0]      m_axi_ARADDR,
    output logic [7:0]       m_axi_ARLEN,
    output logic [2:0]       m_axi_ARSIZE,
    output logic [1:0]       m_axi_ARBURST,
    output logic             m_axi_ARVALID,
    input  logic             m_axi_ARREADY,
    input  logic [BUS_W-1:0] m_axi_RDATA,
    input  logic [1:0]       m_axi_RRESP,
    input  logic             m_axi_RLAST,
    input  logic             m_axi_RVALID,
    output logic             m_axi_RREADY,
    output logic [W-1:0]     m_axis_TDATA,
    output logic             m_axis_TLAST,
    output logic             m_axis_TVALID,
    input  logic             m_axis_TREADY
);
  localparam int WB = 8 * ((W + 7) / 8);
  localparam int BUS_B = BUS_W / 8;
  logic [BUS_W+WB-1:0] buffer;
  int unsigned have;  // valid bits in buffer
  logic [63:0] words_left, bus_left;
  logic waiting;  // a read is in flight
  int unsigned in_frame;

  assign m_axi_ARLEN = 8'd0;
  assign m_axi_ARSIZE = 3'($clog2(BUS_B));
  assign m_axi_ARBURST = 2'b01;
  assign m_axi_RREADY = waiting && !m_axi_ARVALID;
  assign m_axis_TDATA = buffer[W-1:0];
  assign m_axis_TVALID = busy && words_left != 0 && have >= WB;
  assign m_axis_TLAST = in_frame == WPF - 1;

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      busy <= 1'b0;
      waiting <= 1'b0;
      m_axi_ARVALID <= 1'b0;
      have <= 0;
      words_left <= 0;
      bus_left <= 0;
      in_frame <= 0;
      buffer <= '0;
    end else if (start) begin
      busy <= 1'b1;
      have <= 0;
      buffer <= '0;
      in_frame <= 0;
      words_left <= 64'(frames) * WPF;
      bus_left <= (64'(frames) * WPF * (WB / 8) + BUS_B - 1) / BUS_B;
      m_axi_ARADDR <= base;
    end else if (busy) begin
      if (m_axis_TVALID && m_axis_TREADY) begin
        buffer <= buffer >> WB;
        have <= have - WB;
        words_left <= words_left - 1;
        in_frame <= in_frame == WPF - 1 ? 0 : in_frame + 1;
        if (words_left == 1) busy <= 1'b0;
      end else if (!waiting && have < WB && bus_left != 0) begin
        m_axi_ARVALID <= 1'b1;
        waiting <= 1'b1;
      end else if (m_axi_ARVALID && m_axi_ARREADY) begin
        m_axi_ARVALID <= 1'b0;
      end else if (m_axi_RVALID && m_axi_RREADY) begin
        buffer <= buffer | ((BUS_W + WB)'(m_axi_RDATA) << have);
        have <= have + BUS_W;
        bus_left <= bus_left - 1;
        m_axi_ARADDR <= m_axi_ARADDR + BUS_B;
        waiting <= 1'b0;
      end
      if (words_left == 0) busy <= 1'b0;
    end
  end
endmodule
