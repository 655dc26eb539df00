// qnn_fifo: an AXI-stream FIFO of DEPTH words of WIDTH bits (first-word fall-through).
// in_TREADY is high while fewer than DEPTH words are held; from DEPTH 2 on it does not
// depend on out_TREADY, so the FIFO breaks the combinational ready path. A FIFO of one
// word also takes a word in the cycle its word leaves (in_TREADY = empty or out_TREADY),
// else it would pass one word every other cycle. out_TDATA is the oldest word; a word
// written in cycle t can leave in cycle t+1. Synchronous active-low reset.
module qnn_fifo #(
    parameter int WIDTH = 8,
    parameter int DEPTH = 2
) (
    input  logic             ap_clk,
    input  logic             ap_rst_n,
    input  logic [WIDTH-1:0] in0_V_TDATA,
    input  logic             in0_V_TVALID,
    output logic             in0_V_TREADY,
    output logic [WIDTH-1:0] out0_V_TDATA,
    output logic             out0_V_TVALID,
    input  logic             out0_V_TREADY
);
  localparam int AW = DEPTH > 1 ? $clog2(DEPTH) : 1;
  localparam int CW = $clog2(DEPTH + 1);

  logic [WIDTH-1:0] mem[DEPTH];
  logic [AW-1:0] rd_ptr, wr_ptr;
  logic [CW-1:0] count;

  wire push = in0_V_TVALID && in0_V_TREADY;
  wire pop = out0_V_TVALID && out0_V_TREADY;

  if (DEPTH == 1) begin : g_pass
    assign in0_V_TREADY = count == '0 || out0_V_TREADY;
  end else begin : g_hold
    assign in0_V_TREADY = count != CW'(DEPTH);
  end
  assign out0_V_TVALID = count != '0;
  assign out0_V_TDATA = mem[rd_ptr];

  // (assigned to the function's name, not `return`ed: Yosys reads both forms only so)
  function automatic logic [AW-1:0] next(input logic [AW-1:0] ptr);
    next = ptr == AW'(DEPTH - 1) ? '0 : ptr + 1'b1;
  endfunction

  always_ff @(posedge ap_clk) begin
    if (push) mem[wr_ptr] <= in0_V_TDATA;
  end

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      rd_ptr <= '0;
      wr_ptr <= '0;
      count  <= '0;
    end else begin
      if (push) wr_ptr <= next(wr_ptr);
      if (pop) rd_ptr <= next(rd_ptr);
      if (push && !pop) count <= count + 1'b1;
      else if (pop && !push) count <= count - 1'b1;
    end
  end
endmodule
