// qnn_axi_regs: the accelerator's AXI4-Lite register block, the register map of the HLS
// DMA IP qnn_dma (docs/deploy.md): 0x00 ctrl (bit 0 start, reads 1 while a run is in
// progress; bit 1 done, set when a run ends, cleared when ctrl is read; bit 2 idle),
// 0x10 + 0x0C*k the 64-bit buffer address of stream k (inputs, then outputs; low word,
// high word, a reserved word), 0x10 + 0x0C*(N_IN+N_OUT) the number of frames. Writing 1
// to bit 0 of ctrl while idle pulses `start` with the registers as they are; `done`
// (one cycle) ends the run. 32-bit registers, byte strobes honoured, OKAY responses.
module qnn_axi_regs #(
    parameter int N_STREAMS = 2,
    parameter int ADDR_W = 8
) (
    input  logic                     ap_clk,
    input  logic                     ap_rst_n,
    input  logic [ADDR_W-1:0]        s_axi_control_AWADDR,
    input  logic                     s_axi_control_AWVALID,
    output logic                     s_axi_control_AWREADY,
    input  logic [31:0]              s_axi_control_WDATA,
    input  logic [3:0]               s_axi_control_WSTRB,
    input  logic                     s_axi_control_WVALID,
    output logic                     s_axi_control_WREADY,
    output logic [1:0]               s_axi_control_BRESP,
    output logic                     s_axi_control_BVALID,
    input  logic                     s_axi_control_BREADY,
    input  logic [ADDR_W-1:0]        s_axi_control_ARADDR,
    input  logic                     s_axi_control_ARVALID,
    output logic                     s_axi_control_ARREADY,
    output logic [31:0]              s_axi_control_RDATA,
    output logic [1:0]               s_axi_control_RRESP,
    output logic                     s_axi_control_RVALID,
    input  logic                     s_axi_control_RREADY,
    output logic                     start,
    input  logic                     done,
    output logic [64*N_STREAMS-1:0]  addresses,
    output logic [31:0]              frames
);
  localparam int FRAMES_AT = 16 + 12 * N_STREAMS;
  logic busy, finished;
  logic [31:0] words[2*N_STREAMS];  // low and high address words
  logic write_now, read_now;

  assign s_axi_control_AWREADY = write_now;
  assign s_axi_control_WREADY = write_now;
  assign s_axi_control_BRESP = 2'b00;
  assign s_axi_control_RRESP = 2'b00;
  assign s_axi_control_ARREADY = !s_axi_control_RVALID;
  assign write_now = s_axi_control_AWVALID && s_axi_control_WVALID && !s_axi_control_BVALID;
  assign read_now = s_axi_control_ARVALID && !s_axi_control_RVALID;

  for (genvar k = 0; k < N_STREAMS; k++) begin : g_address
    assign addresses[64*k+:64] = {words[2*k+1], words[2*k]};
  end

  function automatic logic [31:0] merge(logic [31:0] old, logic [31:0] data, logic [3:0] strobe);
    for (int b = 0; b < 4; b++) if (strobe[b]) old[8*b+:8] = data[8*b+:8];
    return old;
  endfunction

  function automatic logic [31:0] register(logic [ADDR_W-1:0] address);
    if (address == 0) return {29'b0, !busy, finished, busy};
    if (address == ADDR_W'(FRAMES_AT)) return frames;
    for (int k = 0; k < N_STREAMS; k++) begin
      if (address == ADDR_W'(16 + 12 * k)) return words[2*k];
      if (address == ADDR_W'(20 + 12 * k)) return words[2*k+1];
    end
    return 32'b0;
  endfunction

  always_ff @(posedge ap_clk) begin
    start <= 1'b0;
    if (!ap_rst_n) begin
      busy <= 1'b0;
      finished <= 1'b0;
      frames <= 32'b0;
      s_axi_control_BVALID <= 1'b0;
      s_axi_control_RVALID <= 1'b0;
      for (int k = 0; k < 2 * N_STREAMS; k++) words[k] <= 32'b0;
    end else begin
      if (done) begin
        busy <= 1'b0;
        finished <= 1'b1;
      end
      if (write_now) begin
        s_axi_control_BVALID <= 1'b1;
        if (s_axi_control_AWADDR == 0 && s_axi_control_WSTRB[0] && s_axi_control_WDATA[0] && !busy) begin
          busy <= 1'b1;
          finished <= 1'b0;
          start <= 1'b1;
        end
        if (s_axi_control_AWADDR == ADDR_W'(FRAMES_AT))
          frames <= merge(frames, s_axi_control_WDATA, s_axi_control_WSTRB);
        for (int k = 0; k < N_STREAMS; k++) begin
          if (s_axi_control_AWADDR == ADDR_W'(16 + 12 * k))
            words[2*k] <= merge(words[2*k], s_axi_control_WDATA, s_axi_control_WSTRB);
          if (s_axi_control_AWADDR == ADDR_W'(20 + 12 * k))
            words[2*k+1] <= merge(words[2*k+1], s_axi_control_WDATA, s_axi_control_WSTRB);
        end
      end else if (s_axi_control_BREADY) begin
        s_axi_control_BVALID <= 1'b0;
      end
      if (read_now) begin
        s_axi_control_RVALID <= 1'b1;
        s_axi_control_RDATA <= register(s_axi_control_ARADDR);
        if (s_axi_control_ARADDR == 0 && !done) finished <= 1'b0;  // clear on read
      end else if (s_axi_control_RREADY) begin
        s_axi_control_RVALID <= 1'b0;
      end
    end
  end
endmodule
