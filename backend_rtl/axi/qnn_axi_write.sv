// qnn_axi_write: write DMA, AXI4-Stream -> AXI4 memory-mapped master. On `start` it takes
// frames * WPF words of W bits from s_axis and writes them to the buffer at `base` in the
// layout qnn_axi_read reads (the last bus word zero-padded); no TLAST is needed. One
// single-beat write (AWLEN 0, all byte strobes) in flight at a time. `busy` is high from
// the cycle after `start` until the last write's response has arrived.
module qnn_axi_write #(
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
    output logic [63:0]      m_axi_AWADDR,
    output logic [7:0]       m_axi_AWLEN,
    output logic [2:0]       m_axi_AWSIZE,
    output logic [1:0]       m_axi_AWBURST,
    output logic             m_axi_AWVALID,
    input  logic             m_axi_AWREADY,
    output logic [BUS_W-1:0] m_axi_WDATA,
    output logic [BUS_W/8-1:0] m_axi_WSTRB,
    output logic             m_axi_WLAST,
    output logic             m_axi_WVALID,
    input  logic             m_axi_WREADY,
    input  logic [1:0]       m_axi_BRESP,
    input  logic             m_axi_BVALID,
    output logic             m_axi_BREADY,
    input  logic [W-1:0]     s_axis_TDATA,
    input  logic             s_axis_TVALID,
    output logic             s_axis_TREADY
);
  localparam int WB = 8 * ((W + 7) / 8);
  localparam int BUS_B = BUS_W / 8;
  logic [BUS_W+WB-1:0] buffer;
  int unsigned have;
  logic [63:0] taken_left, bus_left;
  logic writing;  // a write is in flight (address, data or response pending)

  assign m_axi_AWLEN = 8'd0;
  assign m_axi_AWSIZE = 3'($clog2(BUS_B));
  assign m_axi_AWBURST = 2'b01;
  assign m_axi_WSTRB = '1;
  assign m_axi_WLAST = 1'b1;
  assign m_axi_BREADY = writing && !m_axi_AWVALID && !m_axi_WVALID;
  assign s_axis_TREADY = busy && !writing && taken_left != 0 && have < BUS_W;

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      busy <= 1'b0;
      writing <= 1'b0;
      m_axi_AWVALID <= 1'b0;
      m_axi_WVALID <= 1'b0;
      have <= 0;
      taken_left <= 0;
      bus_left <= 0;
      buffer <= '0;
    end else if (start) begin
      busy <= 1'b1;
      have <= 0;
      buffer <= '0;
      taken_left <= 64'(frames) * WPF;
      bus_left <= (64'(frames) * WPF * (WB / 8) + BUS_B - 1) / BUS_B;
      m_axi_AWADDR <= base - BUS_B;  // advanced before each write
    end else if (busy) begin
      if (writing) begin
        if (m_axi_AWVALID && m_axi_AWREADY) m_axi_AWVALID <= 1'b0;
        if (m_axi_WVALID && m_axi_WREADY) m_axi_WVALID <= 1'b0;
        if (m_axi_BVALID && m_axi_BREADY) begin
          writing <= 1'b0;
          if (bus_left == 0) busy <= 1'b0;
        end
      end else if (s_axis_TVALID && s_axis_TREADY) begin
        buffer <= buffer | ((BUS_W + WB)'(s_axis_TDATA) << have);
        have <= have + WB;
        taken_left <= taken_left - 1;
      end else if (bus_left != 0 && (have >= BUS_W || (taken_left == 0 && have != 0))) begin
        m_axi_WDATA <= buffer[BUS_W-1:0];
        m_axi_AWADDR <= m_axi_AWADDR + BUS_B;
        m_axi_AWVALID <= 1'b1;
        m_axi_WVALID <= 1'b1;
        writing <= 1'b1;
        buffer <= buffer >> BUS_W;
        have <= have >= BUS_W ? have - BUS_W : 0;
        bus_left <= bus_left - 1;
      end else if (bus_left == 0) begin
        busy <= 1'b0;
      end
    end
  end
endmodule
