// qnn_bram: DEPTH words of WIDTH bits, one synchronous write port and one synchronous read
// port (simple dual-port block RAM). While en is high, rdata takes mem[raddr] at the clock
// edge (a word written at the same edge is not yet seen); it holds otherwise. No reset:
// contents are defined once written.
module qnn_bram #(
    parameter int WIDTH = 8,
    parameter int DEPTH = 2
) (
    input  logic                                       ap_clk,
    input  logic                                       we,
    input  logic [(DEPTH > 1 ? $clog2(DEPTH) : 1)-1:0] waddr,
    input  logic [                          WIDTH-1:0] wdata,
    input  logic                                       en,
    input  logic [(DEPTH > 1 ? $clog2(DEPTH) : 1)-1:0] raddr,
    output logic [                          WIDTH-1:0] rdata
);
  logic [WIDTH-1:0] mem[DEPTH];

  always_ff @(posedge ap_clk) begin
    if (we) mem[waddr] <= wdata;
  end

  always_ff @(posedge ap_clk) begin
    if (en) rdata <= mem[raddr];
  end
endmodule
