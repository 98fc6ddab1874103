// Fuzzes the config loader: ParseConfigText on any bytes, then the whole of
// settings::LoadSettings (includes aside) on what parses, from a file as the
// daemon reads it. Bad config must give errors, never a crash.

#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/config/json_reader.h"
#include "daemon/config/value.h"
#include "daemon/plugin/registry.h"
#include "daemon/settings/settings.h"

namespace {

using brandmon::config::ConfigValue;

// ${file:...} and ${credential:...} read files named by the input, and
// "include" globs the file system: both would let the fuzzer read /dev or
// /proc, which says nothing about the loader, so such inputs stop after parsing.
bool TouchesFiles(const ConfigValue& v) {
  if (v.is_string()) {
    const std::string& s = v.as_string();
    return s.find("${file:") != std::string::npos || s.find("${credential:") != std::string::npos;
  }
  for (const auto& item : v.items()) {
    if (TouchesFiles(item)) return true;
  }
  for (const auto& m : v.members()) {
    if (TouchesFiles(m.value)) return true;
  }
  return false;
}

std::string& ConfigDir() {
  static std::string dir;
  return dir;
}

void RemoveConfigDir() {
  std::remove((ConfigDir() + "/brandmon.json").c_str());
  rmdir(ConfigDir().c_str());
}

const std::string& ConfigPath() {
  static const std::string path = [] {
    char dir[] = "/tmp/brandmon-fuzz-config-XXXXXX";
    if (mkdtemp(dir) == nullptr) std::abort();
    ConfigDir() = dir;
    std::atexit(RemoveConfigDir);
    return std::string(dir) + "/brandmon.json";
  }();
  return path;
}

bool WriteFile(const std::string& path, std::string_view bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto tree = brandmon::config::ParseConfigText(text, "fuzz.json");
  if (!tree.ok()) {
    if (tree.status().message().empty()) std::abort();
    return 0;
  }
  if (!tree->is_object() || tree->Find("include") != nullptr || TouchesFiles(*tree)) return 0;

  const std::string& path = ConfigPath();
  if (!WriteFile(path, text)) std::abort();
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name.empty() || name[0] == 'U') return std::nullopt;  // some variables unset
    return "value-of-" + name;
  };
  auto settings = brandmon::settings::LoadSettings(path, env, brandmon::plugin::BuiltinRegistry());
  if (settings.ok()) {
    (void)brandmon::settings::DumpSettings(*settings, brandmon::plugin::BuiltinRegistry());
  } else if (settings.status().message().empty()) {
    std::abort();  // a rejected config always says why
  }
  return 0;
}
