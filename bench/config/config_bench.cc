// Parse time of a minified config (one line) against its size: it must grow
// linearly. Before the line index kept a cursor, every value's column was
// counted from the start of the line, and 261 KB took 2.4 s.
//
//   cmake -S . -B build -DBRANDMON_BENCH=ON && ninja -C build config_bench
//   build/bench/config/config_bench [MiB ...]      (default: 0.25 1 4 14)

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "daemon/config/json_reader.h"

namespace {

// A config of feed sources, minified, of at least `bytes` bytes.
std::string MinifiedConfig(size_t bytes) {
  std::string text = "{\"sources\":[";
  for (int i = 0; text.size() < bytes; ++i) {
    if (i > 0) text += ',';
    text += "{\"name\":\"s" + std::to_string(i) + "\",\"type\":\"feed\",\"url\":\"https://example.com/f" +
            std::to_string(i) + ".xml\",\"interval\":\"5m\",\"enabled\":true,\"max_items\":200}";
  }
  return text + "]}";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<double> sizes_mib;
  for (int i = 1; i < argc; ++i) sizes_mib.push_back(std::atof(argv[i]));
  if (sizes_mib.empty()) sizes_mib = {0.25, 1, 4, 14};
  std::printf("%10s %12s %14s %16s\n", "size", "parse ms", "MB/s", "scanned/byte");
  for (double mib : sizes_mib) {
    std::string text = MinifiedConfig(static_cast<size_t>(mib * (1 << 20)));
    brandmon::config::ParseStats stats;
    auto start = std::chrono::steady_clock::now();
    auto v = brandmon::config::ParseConfigText(text, "bench.json", &stats);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!v.ok()) {
      std::fprintf(stderr, "config_bench: %s\n", v.status().message().c_str());
      return 1;
    }
    std::printf("%8.2fMB %12.1f %14.1f %16.2f\n", static_cast<double>(text.size()) / 1e6, ms,
                static_cast<double>(text.size()) / 1e3 / ms,
                static_cast<double>(stats.position_bytes_scanned) / static_cast<double>(text.size()));
  }
  return 0;
}
