#pragma once

#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "daemon/config/value.h"

namespace brandmon::config {

// Collects every config error instead of stopping at the first, each as
// "file:line:col: option.path: message". Thread-compatible.
class Diagnostics {
 public:
  void Error(const SourcePos& pos, std::string_view path, std::string_view message);
  bool ok() const { return errors_.empty(); }
  // In the order they were found.
  const std::vector<std::string>& errors() const { return errors_; }
  // All errors, one per line, ordered by file, line and column.
  std::string Joined() const;

 private:
  struct Key {
    std::string file;
    int line;
    int col;
    size_t index;
    bool operator<(const Key& o) const {
      return std::tie(file, line, col, index) < std::tie(o.file, o.line, o.col, o.index);
    }
  };
  std::vector<std::string> errors_;
  std::vector<Key> order_;
};

// Remembers the values that came from ${env:…}, ${file:…} and ${credential:…}
// and hides them in any text shown to people (effective config, logs).
// Thread-compatible; read-only once the config is loaded.
class Redactor {
 public:
  void AddSecret(std::string value);
  // `text` with every known secret replaced by "<redacted>".
  std::string Redact(std::string_view text) const;
  bool empty() const { return secrets_.empty(); }

 private:
  std::set<std::string> secrets_;
};

// The valid key closest to `key` by edit distance, or "" when none is close.
std::string ClosestKey(std::string_view key, const std::vector<std::string_view>& candidates);

}  // namespace brandmon::config
