#include "daemon/config/options.h"

#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <filesystem>
#include <set>

namespace brandmon::config {

std::string_view TypeName(OptionType type) {
  switch (type) {
    case OptionType::kString: return "string";
    case OptionType::kSecret: return "secret";
    case OptionType::kBool: return "boolean";
    case OptionType::kInt: return "integer";
    case OptionType::kDouble: return "number";
    case OptionType::kDuration: return "duration";
    case OptionType::kSize: return "size";
    case OptionType::kEnum: return "enum";
    case OptionType::kStringList: return "string list";
    case OptionType::kPath: return "path";
    case OptionType::kPathList: return "path list";
    case OptionType::kStringMap: return "string map";
    case OptionType::kNumberMap: return "number map";
    case OptionType::kObject: return "object";
    case OptionType::kObjectList: return "object list";
    case OptionType::kAny: return "any";
  }
  return "value";
}

std::string ResolvePath(const ConfigValue& v, const std::string& text) {
  if (text.empty() || text.front() == '/' || v.pos().file == nullptr) return text;
  std::filesystem::path folder = std::filesystem::path(*v.pos().file).parent_path();
  if (folder.empty()) return text;
  return (folder / text).lexically_normal().string();
}

std::string JoinPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string JoinIndex(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string FormatNumber(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", d);
  return buf;
}

std::string Describe(const ConfigValue& v) {
  switch (v.kind()) {
    case ConfigValue::Kind::kNull: return "null";
    case ConfigValue::Kind::kBool: return v.as_bool() ? "true" : "false";
    case ConfigValue::Kind::kNumber: return v.is_int() ? std::to_string(v.as_int()) : FormatNumber(v.as_double());
    case ConfigValue::Kind::kString: {
      if (v.substituted()) return v.Placeholder();
      std::string s = v.as_string();
      if (s.size() > 60) {
        // Cut at a code point boundary, so the message stays valid UTF-8.
        size_t cut = 57;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
        s = s.substr(0, cut) + "...";
      }
      return "\"" + s + "\"";
    }
    case ConfigValue::Kind::kArray: return "an array";
    case ConfigValue::Kind::kObject: return "an object";
  }
  return "a value";
}

std::string JsonWriter::CurrentPath() const {
  std::string path;
  for (const auto& f : frames_) {
    path = f.array ? JoinIndex(path, f.index) : JoinPath(path, f.key);
  }
  return path;
}

const std::string* JsonWriter::Placeholder() const {
  if (redactor_ == nullptr || !redactor_->has_paths() || frames_.empty()) return nullptr;
  return redactor_->PlaceholderAt(CurrentPath());
}

void WriteString(JsonWriter& w, std::string_view s, const Redactor* redactor, bool secret) {
  if (secret && !s.empty() && !w.reveals_secrets()) {
    w.String("<redacted>");
    return;
  }
  if (redactor != nullptr && !redactor->empty()) {
    std::string r = redactor->Redact(s);
    w.String(r.data(), static_cast<rapidjson::SizeType>(r.size()));
    return;
  }
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void CheckKeys(const ConfigValue& obj, const std::string& path, const std::vector<OptionInfo>& known,
               ApplyContext& ctx) {
  std::vector<std::string_view> names;
  for (const auto& info : known) names.push_back(info.key);
  std::set<std::string_view> seen;
  for (const auto& m : obj.members()) {
    std::string sub = JoinPath(path, m.key);
    if (!seen.insert(m.key).second) {
      const SourcePos& first = [&]() -> const SourcePos& {
        for (const auto& o : obj.members()) {
          if (o.key == m.key) return o.key_pos;
        }
        return m.key_pos;
      }();
      ctx.diag.Error(m.key_pos, sub, "option given twice (first at line " + std::to_string(first.line) + ")");
      continue;
    }
    bool found = false;
    for (auto n : names) found = found || n == m.key;
    if (found) continue;
    std::string hint = ClosestKey(m.key, names);
    std::string msg = "unknown option '" + m.key + "'";
    if (!hint.empty()) {
      msg += " (did you mean '" + hint + "'?)";
    } else {
      msg += "; valid options: ";
      for (size_t i = 0; i < names.size(); ++i) msg += (i ? ", " : "") + std::string(names[i]);
    }
    ctx.diag.Error(m.key_pos, sub, msg);
  }
}

namespace detail {
namespace {

std::string Compact(const rapidjson::Value* v) {
  if (v == nullptr) return "null";
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v->Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

const rapidjson::Value* Member(const rapidjson::Value& obj, const std::string& key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(key.c_str());
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

// The four dumps of one object: running and loaded, exact and shown.
struct Dumps {
  const rapidjson::Value& running_exact;
  const rapidjson::Value& running_shown;
  const rapidjson::Value& loaded_exact;
  const rapidjson::Value& loaded_shown;
};

// Walks the options of one object. Objects are entered whatever their mode,
// since an option inside one may override it; any other value is compared
// whole.
void CollectChanges(const std::vector<OptionInfo>& infos, ReloadMode enclosing, const std::string& path,
                    const Dumps& dumps, std::vector<OptionChange>& out) {
  for (const auto& info : infos) {
    ReloadMode mode = EffectiveReload(info, enclosing);
    const rapidjson::Value* running_exact = Member(dumps.running_exact, info.key);
    const rapidjson::Value* loaded_exact = Member(dumps.loaded_exact, info.key);
    const rapidjson::Value* running_shown = Member(dumps.running_shown, info.key);
    const rapidjson::Value* loaded_shown = Member(dumps.loaded_shown, info.key);
    std::string key = JoinPath(path, info.key);
    if (info.type == OptionType::kObject && info.nested && running_exact != nullptr && loaded_exact != nullptr &&
        running_shown != nullptr && loaded_shown != nullptr) {
      CollectChanges(info.nested(), mode, key, {*running_exact, *running_shown, *loaded_exact, *loaded_shown}, out);
      continue;
    }
    if (mode != ReloadMode::kRestart) continue;
    bool same = running_exact != nullptr && loaded_exact != nullptr ? *running_exact == *loaded_exact
                                                                    : running_exact == loaded_exact;
    if (!same) out.push_back({key, Compact(running_shown), Compact(loaded_shown)});
  }
}

}  // namespace

std::vector<OptionChange> RestartOnlyChanges(const std::vector<OptionInfo>& infos, const std::string& running_exact,
                                             const std::string& running_shown, const std::string& loaded_exact,
                                             const std::string& loaded_shown) {
  rapidjson::Document docs[4];
  const std::string* texts[4] = {&running_exact, &running_shown, &loaded_exact, &loaded_shown};
  for (int i = 0; i < 4; ++i) {
    docs[i].Parse(texts[i]->c_str(), texts[i]->size());
    // The dumps come from our own writer: they always parse.
    assert(!docs[i].HasParseError());
  }
  std::vector<OptionChange> out;
  CollectChanges(infos, ReloadMode::kApplied, "", {docs[0], docs[1], docs[2], docs[3]}, out);
  return out;
}

bool ExpectKind(const ConfigValue& v, ConfigValue::Kind kind, std::string_view want, const std::string& path,
                ApplyContext& ctx) {
  if (v.kind() == kind) return true;
  ctx.diag.Error(v.pos(), path, "expected " + std::string(want) + ", got " + Describe(v));
  return false;
}

std::string ListText(const std::vector<std::string>& items, std::string_view quote) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + std::string(quote) + item + std::string(quote);
  return quote.empty() ? out : "[" + out + "]";
}

std::vector<std::string> ReadChoices(const ConfigValue& v, const std::vector<std::string>& choices,
                                     const std::string& path, ApplyContext& ctx) {
  std::vector<std::string> names;
  if (!ExpectKind(v, ConfigValue::Kind::kArray, "an array of strings", path, ctx)) return names;
  for (size_t i = 0; i < v.items().size(); ++i) {
    const ConfigValue& item = v.items()[i];
    std::string at = JoinIndex(path, i);
    if (!ExpectKind(item, ConfigValue::Kind::kString, "a string", at, ctx)) continue;
    if (std::find(choices.begin(), choices.end(), item.as_string()) == choices.end()) {
      ctx.diag.Error(item.pos(), at, "expected any of " + ListText(choices, "") + ", got " + Describe(item));
    } else if (std::find(names.begin(), names.end(), item.as_string()) != names.end()) {
      ctx.diag.Error(item.pos(), at, Describe(item) + " is listed twice");
    } else {
      names.push_back(item.as_string());
    }
  }
  return names;
}

}  // namespace detail
}  // namespace brandmon::config
