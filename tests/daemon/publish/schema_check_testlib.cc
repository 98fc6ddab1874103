#include "tests/daemon/publish/schema_check.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <set>

#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

using rapidjson::Value;

const std::set<std::string> kAnnotations = {"$schema", "$id", "$defs", "title", "description"};

std::string Dump(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return buf.GetString();
}

bool IsDigits(std::string_view s, size_t from, size_t n) {
  if (from + n > s.size()) return false;
  for (size_t i = from; i < from + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// RFC 3339 UTC with 'Z', as brandmon writes it: YYYY-MM-DDTHH:MM:SS[.fff]Z.
bool IsDateTime(std::string_view s) {
  if (!(IsDigits(s, 0, 4) && s.size() > 19 && s[4] == '-' && IsDigits(s, 5, 2) && s[7] == '-' && IsDigits(s, 8, 2) &&
        s[10] == 'T' && IsDigits(s, 11, 2) && s[13] == ':' && IsDigits(s, 14, 2) && s[16] == ':' &&
        IsDigits(s, 17, 2))) {
    return false;
  }
  size_t i = 19;
  if (s[i] == '.') {
    ++i;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  return i + 1 == s.size() && s[i] == 'Z';
}

bool HasType(const Value& inst, std::string_view type) {
  if (type == "null") return inst.IsNull();
  if (type == "boolean") return inst.IsBool();
  if (type == "object") return inst.IsObject();
  if (type == "array") return inst.IsArray();
  if (type == "string") return inst.IsString();
  if (type == "number") return inst.IsNumber();
  if (type == "integer") {
    return inst.IsInt64() || inst.IsUint64() || (inst.IsDouble() && std::floor(inst.GetDouble()) == inst.GetDouble());
  }
  return false;
}

}  // namespace

struct SchemaCheck::Impl {
  rapidjson::Document schema;

  std::string Validate(const Value& s, const Value& inst, const std::string& path) const {
    if (!s.IsObject()) return path + ": schema is not an object";
    for (const auto& m : s.GetObject()) {
      std::string key = m.name.GetString();
      std::string err = Keyword(key, m.value, s, inst, path);
      if (!err.empty()) return err;
    }
    return "";
  }

  std::string Keyword(const std::string& key, const Value& arg, const Value& s, const Value& inst,
                      const std::string& path) const {
    if (kAnnotations.count(key)) return "";
    if (key == "$ref") {
      std::string ref = arg.GetString();
      if (!ref.starts_with("#/$defs/")) return path + ": unsupported $ref " + ref;
      const Value& defs = schema["$defs"];
      auto it = defs.FindMember(ref.substr(8).c_str());
      if (it == defs.MemberEnd()) return path + ": unknown $ref " + ref;
      return Validate(it->value, inst, path);
    }
    if (key == "type") {
      if (arg.IsString()) return HasType(inst, arg.GetString()) ? "" : path + ": expected " + arg.GetString();
      for (const auto& t : arg.GetArray()) {
        if (HasType(inst, t.GetString())) return "";
      }
      return path + ": expected one of " + Dump(arg) + ", got " + Dump(inst);
    }
    if (key == "const") return inst == arg ? "" : path + ": expected " + Dump(arg);
    if (key == "enum") {
      for (const auto& e : arg.GetArray()) {
        if (inst == e) return "";
      }
      return path + ": " + Dump(inst) + " not in " + Dump(arg);
    }
    if (key == "required") {
      if (!inst.IsObject()) return "";
      for (const auto& r : arg.GetArray()) {
        if (!inst.HasMember(r.GetString())) return path + ": missing \"" + r.GetString() + "\"";
      }
      return "";
    }
    if (key == "properties") {
      if (!inst.IsObject()) return "";
      for (const auto& p : arg.GetObject()) {
        auto it = inst.FindMember(p.name.GetString());
        if (it == inst.MemberEnd()) continue;
        std::string err = Validate(p.value, it->value, path + "." + p.name.GetString());
        if (!err.empty()) return err;
      }
      return "";
    }
    if (key == "additionalProperties") {
      if (!inst.IsObject()) return "";
      auto props = s.FindMember("properties");
      for (const auto& m : inst.GetObject()) {
        if (props != s.MemberEnd() && props->value.HasMember(m.name.GetString())) continue;
        std::string sub = path + "." + m.name.GetString();
        if (arg.IsBool()) {
          if (!arg.GetBool()) return sub + ": property not allowed";
          continue;
        }
        std::string err = Validate(arg, m.value, sub);
        if (!err.empty()) return err;
      }
      return "";
    }
    if (key == "items") {
      if (!inst.IsArray()) return "";
      for (rapidjson::SizeType i = 0; i < inst.Size(); ++i) {
        std::string err = Validate(arg, inst[i], path + "[" + std::to_string(i) + "]");
        if (!err.empty()) return err;
      }
      return "";
    }
    if (key == "minimum" || key == "maximum") {
      if (!inst.IsNumber()) return "";
      double v = inst.GetDouble(), bound = arg.GetDouble();
      bool ok = key == "minimum" ? v >= bound : v <= bound;
      return ok ? "" : path + ": " + Dump(inst) + " violates " + key + " " + Dump(arg);
    }
    if (key == "minLength") {
      if (!inst.IsString()) return "";
      return inst.GetStringLength() >= arg.GetUint() ? "" : path + ": shorter than " + Dump(arg);
    }
    if (key == "format") {
      if (!inst.IsString()) return "";
      if (std::string(arg.GetString()) != "date-time") return path + ": unsupported format " + Dump(arg);
      return IsDateTime(inst.GetString()) ? "" : path + ": not an RFC 3339 UTC time: " + Dump(inst);
    }
    return path + ": unsupported schema keyword \"" + key + "\"";
  }
};

SchemaCheck::SchemaCheck(const std::string& path) : impl_(std::make_unique<Impl>()) {
  std::string text = ReadFile(path);
  impl_->schema.Parse(text.c_str());
  if (impl_->schema.HasParseError() || !impl_->schema.IsObject()) {
    std::cerr << "cannot load schema " << path << "\n";
    std::abort();
  }
}

SchemaCheck::~SchemaCheck() = default;

std::string SchemaCheck::Check(std::string_view json, std::string_view def) const {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) return "$: not valid JSON";
  if (def.empty()) return impl_->Validate(impl_->schema, doc, "$");
  const Value& defs = impl_->schema["$defs"];
  auto it = defs.FindMember(std::string(def).c_str());
  if (it == defs.MemberEnd()) return "no definition " + std::string(def);
  return impl_->Validate(it->value, doc, "$");
}

const SchemaCheck& AlertSchema() {
  static const SchemaCheck check(std::string(BRANDMON_SOURCE_DIR) + "/docs/alert.schema.json");
  return check;
}

}  // namespace brandmon::testing
