// qnn_skid: a two-register AXI-stream slice (skid buffer). Full throughput; in_TREADY and
// out_TVALID/out_TDATA come from registers, so it cuts every combinational path between
// its two sides. Synchronous active-low reset.
module qnn_skid #(
    parameter int WIDTH = 8
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
  logic [WIDTH-1:0] skid_data;
  logic skid_valid;

  assign in0_V_TREADY = !skid_valid;

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      out0_V_TVALID <= 1'b0;
      skid_valid <= 1'b0;
    end else if (out0_V_TREADY || !out0_V_TVALID) begin
      out0_V_TVALID <= skid_valid || in0_V_TVALID;
      skid_valid <= 1'b0;
    end else if (in0_V_TVALID && !skid_valid) begin
      skid_valid <= 1'b1;
    end
  end

  always_ff @(posedge ap_clk) begin
    if (out0_V_TREADY || !out0_V_TVALID) begin
      out0_V_TDATA <= skid_valid ? skid_data : in0_V_TDATA;
    end else if (in0_V_TVALID && !skid_valid) begin
      skid_data <= in0_V_TDATA;
    end
  end
endmodule
