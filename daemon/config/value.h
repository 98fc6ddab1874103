#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace brandmon::config {

// Where a value sits in a config file; `file` is shared by all values of a file.
struct SourcePos {
  std::shared_ptr<const std::string> file;
  int line = 0;
  int col = 0;
  // "conf/x.json:42:17", or "<unknown>" for values made in code.
  std::string ToString() const;
};

// A JSON value from a config file that remembers where it came from, so that
// every error can name file:line:col. A plain value tree; thread-compatible.
class ConfigValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  struct Member;

  ConfigValue() = default;
  static ConfigValue Null(SourcePos pos);
  static ConfigValue Bool(bool b, SourcePos pos);
  static ConfigValue Int(int64_t i, SourcePos pos);
  static ConfigValue Double(double d, SourcePos pos);
  static ConfigValue String(std::string s, SourcePos pos);
  static ConfigValue Array(SourcePos pos);
  static ConfigValue Object(SourcePos pos);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_number() const { return kind_ == Kind::kNumber; }
  bool is_int() const { return kind_ == Kind::kNumber && is_int_; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }
  const SourcePos& pos() const { return pos_; }

  bool as_bool() const { return bool_; }
  int64_t as_int() const { return int_; }
  double as_double() const { return is_int_ ? static_cast<double>(int_) : double_; }
  const std::string& as_string() const { return string_; }
  std::string& mutable_string() { return string_; }

  const std::vector<ConfigValue>& items() const { return items_; }
  std::vector<ConfigValue>& mutable_items() { return items_; }
  const std::vector<Member>& members() const { return members_; }
  std::vector<Member>& mutable_members() { return members_; }

  // The first member named `key`, or nullptr.
  const ConfigValue* Find(std::string_view key) const;

  // True when the string came (partly) from ${env:…}, ${file:…} or
  // ${credential:…}; such values are redacted wherever config is printed.
  bool substituted() const { return !written_.empty(); }
  // The string as the file wrote it, references and all; empty when nothing
  // was substituted. Not a secret.
  const std::string& written() const { return written_; }
  // Marks the string as substituted from `written` (which holds a "${").
  void set_written(std::string written) { written_ = std::move(written); }
  // How a substituted string is shown instead of its value in any message,
  // log or printed config: "<redacted ${env:TOKEN}>", naming the reference
  // (the text as written, shortened past 60 bytes), never the value.
  // REQUIRES: substituted().
  std::string Placeholder() const;

  // Short description of the kind for error messages: "a string", "an object".
  std::string_view KindName() const;

 private:
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  bool is_int_ = false;
  int64_t int_ = 0;
  double double_ = 0;
  std::string string_;
  std::string written_;
  std::vector<ConfigValue> items_;
  std::vector<Member> members_;
  SourcePos pos_;
};

struct ConfigValue::Member {
  std::string key;
  SourcePos key_pos;
  ConfigValue value;
};

}  // namespace brandmon::config
