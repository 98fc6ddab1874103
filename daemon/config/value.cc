#include "daemon/config/value.h"

namespace brandmon::config {

std::string SourcePos::ToString() const {
  if (!file) return "<unknown>";
  return *file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

ConfigValue ConfigValue::Null(SourcePos pos) {
  ConfigValue v;
  v.pos_ = std::move(pos);
  return v;
}

ConfigValue ConfigValue::Bool(bool b, SourcePos pos) {
  ConfigValue v = Null(std::move(pos));
  v.kind_ = Kind::kBool;
  v.bool_ = b;
  return v;
}

ConfigValue ConfigValue::Int(int64_t i, SourcePos pos) {
  ConfigValue v = Null(std::move(pos));
  v.kind_ = Kind::kNumber;
  v.is_int_ = true;
  v.int_ = i;
  return v;
}

ConfigValue ConfigValue::Double(double d, SourcePos pos) {
  ConfigValue v = Null(std::move(pos));
  v.kind_ = Kind::kNumber;
  v.double_ = d;
  return v;
}

ConfigValue ConfigValue::String(std::string s, SourcePos pos) {
  ConfigValue v = Null(std::move(pos));
  v.kind_ = Kind::kString;
  v.string_ = std::move(s);
  return v;
}

ConfigValue ConfigValue::Array(SourcePos pos) {
  ConfigValue v = Null(std::move(pos));
  v.kind_ = Kind::kArray;
  return v;
}

ConfigValue ConfigValue::Object(SourcePos pos) {
  ConfigValue v = Null(std::move(pos));
  v.kind_ = Kind::kObject;
  return v;
}

const ConfigValue* ConfigValue::Find(std::string_view key) const {
  for (const auto& m : members_) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

std::string ConfigValue::Placeholder() const {
  std::string shown = written_;
  if (shown.size() > 60) {
    // Cut at a code point boundary so the message stays valid UTF-8.
    size_t cut = 57;
    while (cut > 0 && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) --cut;
    shown = shown.substr(0, cut) + "...";
  }
  return "<redacted " + shown + ">";
}

std::string_view ConfigValue::KindName() const {
  switch (kind_) {
    case Kind::kNull: return "null";
    case Kind::kBool: return "a boolean";
    case Kind::kNumber: return "a number";
    case Kind::kString: return "a string";
    case Kind::kArray: return "an array";
    case Kind::kObject: return "an object";
  }
  return "a value";
}

}  // namespace brandmon::config
