// qnn_ram: DEPTH words of WIDTH bits, one synchronous write port and one asynchronous read
// port (distributed RAM). No reset: contents are defined once written.
module qnn_ram #(
    parameter int WIDTH = 8,
    parameter int DEPTH = 2
) (
    input  logic                     ap_clk,
    input  logic                     we,
    input  logic [$clog2(DEPTH)-1:0] waddr,
    input  logic [        WIDTH-1:0] wdata,
    input  logic [$clog2(DEPTH)-1:0] raddr,
    output logic [        WIDTH-1:0] rdata
);
  logic [WIDTH-1:0] mem[DEPTH];

  assign rdata = mem[raddr];

  always_ff @(posedge ap_clk) begin
    if (we) mem[waddr] <= wdata;
  end
endmodule
