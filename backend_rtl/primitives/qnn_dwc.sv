// qnn_dwc: an AXI-stream data-width converter. The input words form one bit string (word 0
// at the lowest bits), which leaves cut into OUT_W-bit words, lowest bits first. A buffer
// of IN_W + OUT_W + max(IN_W, OUT_W) bits holds the bits not yet sent; in_TREADY is high
// while it can take a whole input word whether or not a word leaves in the same cycle, so
// it does not depend on out_TREADY. The max(IN_W, OUT_W) bits beyond one word of each side
// let a word arrive while the buffer still holds a whole output word, so the converter
// moves max(input words, output words) words in as many cycles (with IN_W + OUT_W bits a
// 12 -> 8 bit converter sends 2 words in 3 cycles). Synchronous active-low reset.
module qnn_dwc #(
    parameter int IN_W = 8,
    parameter int OUT_W = 8
) (
    input  logic             ap_clk,
    input  logic             ap_rst_n,
    input  logic [ IN_W-1:0] in0_V_TDATA,
    input  logic             in0_V_TVALID,
    output logic             in0_V_TREADY,
    output logic [OUT_W-1:0] out0_V_TDATA,
    output logic             out0_V_TVALID,
    input  logic             out0_V_TREADY
);
  localparam int BUF = IN_W + OUT_W + (IN_W > OUT_W ? IN_W : OUT_W);
  localparam int CW = $clog2(BUF + 1);

  logic [BUF-1:0] bits;
  logic [CW-1:0] count;

  wire push = in0_V_TVALID && in0_V_TREADY;
  wire pop = out0_V_TVALID && out0_V_TREADY;
  wire [BUF-1:0] kept = pop ? bits >> OUT_W : bits;
  wire [CW-1:0] kept_count = pop ? count - CW'(OUT_W) : count;
  wire [BUF-1:0] incoming = BUF'(in0_V_TDATA) << kept_count;

  assign in0_V_TREADY = count <= CW'(BUF - IN_W);
  assign out0_V_TVALID = count >= CW'(OUT_W);
  assign out0_V_TDATA = bits[OUT_W-1:0];

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      bits  <= '0;
      count <= '0;
    end else begin
      bits  <= push ? kept | incoming : kept;
      count <= push ? kept_count + CW'(IN_W) : kept_count;
    end
  end
endmodule
