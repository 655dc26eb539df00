// qnn_rom: DEPTH words of WIDTH bits loaded from INIT_FILE ($readmemh: one hexadecimal
// word per line, word 0 first), read synchronously: while en is high, rdata takes
// mem[raddr] at the clock edge (the registered read that infers block or distributed ROM).
// STYLE is the memory's `ram_style` for Yosys and Vivado: "block" (block RAM), "logic"
// (LUTs), "ultra" (UltraRAM) or "auto" (the tool's choice).
module qnn_rom #(
    parameter int WIDTH = 8,
    parameter int DEPTH = 2,
    /* verilator lint_off UNUSEDPARAM */  // only synthesis reads it
    parameter STYLE = "auto",  // strings are untyped: Yosys has no `string` parameters
    /* verilator lint_on UNUSEDPARAM */
    parameter INIT_FILE = ""
) (
    input  logic                                     ap_clk,
    input  logic                                     en,
    input  logic [(DEPTH > 1 ? $clog2(DEPTH) : 1)-1:0] raddr,
    output logic [                        WIDTH-1:0] rdata
);
  (* ram_style = STYLE *) logic [WIDTH-1:0] mem[DEPTH];

  initial $readmemh(INIT_FILE, mem);

  always_ff @(posedge ap_clk) begin
    if (en) rdata <= mem[raddr];
  end
endmodule
