#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "daemon/config/value.h"

namespace brandmon::config {

// Remembers the values that came from ${env:…}, ${file:…} and ${credential:…}
// and hides them in any text shown to people (effective config, logs), and
// the option paths that hold them, so that the effective config shows a
// placeholder there whatever the option's type made of the value.
// Thread-compatible; read-only once the config is loaded.
class Redactor {
 public:
  // `value` is a secret, shown as `replacement`. Values under 4 bytes are
  // ignored: they would redact innocent text everywhere.
  void AddSecret(std::string value, std::string replacement = "<redacted>");
  // `text` with every known secret replaced by its replacement.
  std::string Redact(std::string_view text) const;
  bool empty() const { return secrets_.empty() && paths_.empty(); }

  // The value at option path `path` ("sources[2].url") was substituted and
  // is shown as `placeholder` (ConfigValue::Placeholder()).
  void AddPath(std::string path, std::string placeholder);
  // The placeholder of the value at `path`, or nullptr.
  const std::string* PlaceholderAt(const std::string& path) const;
  bool has_paths() const { return !paths_.empty(); }

 private:
  std::map<std::string, std::string> secrets_;
  std::map<std::string, std::string, std::less<>> paths_;
};

// Collects every config error instead of stopping at the first, each as
// "file:line:col: option.path: message". Messages quote a substituted value
// only through its placeholder (see Describe() in options.h); as a second
// line of defence every secret passed to HideSecret() is also cut out of
// each message. Thread-compatible.
class Diagnostics {
 public:
  void Error(const SourcePos& pos, std::string_view path, std::string_view message);
  // Shows `value` (a substituted secret) as `replacement` (the placeholder
  // of its reference) in every message added from now on.
  void HideSecret(std::string value, std::string replacement) {
    hidden_.AddSecret(std::move(value), std::move(replacement));
  }
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
  Redactor hidden_;
};

// The valid key closest to `key` by edit distance, or "" when none is close.
std::string ClosestKey(std::string_view key, const std::vector<std::string_view>& candidates);

}  // namespace brandmon::config
