"""The C++ both emulation testbenches share (the C simulation's, `testbench`, and the
RTL's, `backend_rtl.axi_shell`): reading and writing the board's files.

`testbench REGS.bin MEM.bin`: REGS.bin is the register file (32-bit words, least
significant byte first); MEM.bin a sequence of regions, each a 64-bit little-endian
address, a 64-bit little-endian size and that many bytes (`backend_hls.emit_cpp.dma`).
`read_board` loads both (one line on stderr and false when a file is unreadable, of the
wrong size or truncated), `write_board` writes them back.
"""

BOARD_FILES = r"""namespace {

struct Region {
  unsigned long long address;
  std::vector<unsigned char> bytes;
};

bool load(const char *path, std::vector<unsigned char> &data) {
  FILE *f = std::fopen(path, "rb");
  if (!f) return false;
  unsigned char chunk[65536];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0) data.insert(data.end(), chunk, chunk + got);
  return std::fclose(f) == 0;
}

bool save(const char *path, const std::vector<unsigned char> &data) {
  FILE *f = std::fopen(path, "wb");
  if (!f) return false;
  const size_t put = data.empty() ? 0 : std::fwrite(&data[0], 1, data.size(), f);
  return std::fclose(f) == 0 && put == data.size();
}

unsigned long long le(const unsigned char *p, int bytes) {
  unsigned long long v = 0;
  for (int i = 0; i < bytes; i++) v |= (unsigned long long)p[i] << (8 * i);
  return v;
}

void put_le(unsigned char *p, unsigned long long v, int bytes) {
  for (int i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

bool read_board(const char *regs_path, const char *mem_path, unsigned reg_bytes,
                std::vector<unsigned char> &regs, std::vector<Region> &memory) {
  std::vector<unsigned char> image;
  if (!load(regs_path, regs) || regs.size() != reg_bytes || !load(mem_path, image)) {
    std::fprintf(stderr, "testbench: cannot read %s (%u bytes) and %s\n", regs_path, reg_bytes, mem_path);
    return false;
  }
  for (size_t at = 0; at < image.size();) {
    if (image.size() - at < 16 || image.size() - at - 16 < le(&image[at + 8], 8)) {
      std::fprintf(stderr, "testbench: %s: truncated region at byte %zu\n", mem_path, at);
      return false;
    }
    Region region;
    region.address = le(&image[at], 8);
    const unsigned long long size = le(&image[at + 8], 8);
    region.bytes.assign(image.begin() + at + 16, image.begin() + at + 16 + size);
    memory.push_back(region);
    at += 16 + size;
  }
  return true;
}

bool write_board(const char *regs_path, const char *mem_path, const std::vector<unsigned char> &regs,
                 const std::vector<Region> &memory) {
  std::vector<unsigned char> image;
  for (size_t r = 0; r < memory.size(); r++) {
    unsigned char header[16];
    put_le(header, memory[r].address, 8);
    put_le(header + 8, memory[r].bytes.size(), 8);
    image.insert(image.end(), header, header + 16);
    image.insert(image.end(), memory[r].bytes.begin(), memory[r].bytes.end());
  }
  if (!save(regs_path, regs) || !save(mem_path, image)) {
    std::fprintf(stderr, "testbench: cannot write %s and %s\n", regs_path, mem_path);
    return false;
  }
  return true;
}

}  // namespace
"""
