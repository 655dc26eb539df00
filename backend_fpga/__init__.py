"""Open FPGA tools on the RTL backend's output: Yosys synthesis per layer
(`backend_fpga.synth`), the part families they target (`parts`), cell counting
(`cells`) and running the YoWASP tools (`yowasp`). docs/fpga.md explains the flow."""
