#pragma once

// The one declaration mechanism for options: each module and plugin lists its
// options once, as a table of OptionSpec<T>, and that table drives parsing,
// defaults, validation, the effective-config dump and docs/config.md.
//
//   struct RssOptions { std::string url; Duration interval; int max_items; };
//   const OptionTable<RssOptions>& RssTable() {
//     static const OptionTable<RssOptions> t = {
//       Str("url", kRequired, &RssOptions::url, "Feed URL (http or https)."),
//       Dur("interval", "5m", {"30s", "24h"}, &RssOptions::interval, "Poll period."),
//       Int("max_items", 200, {1, 10000}, &RssOptions::max_items, "Items kept per poll."),
//     };
//     return t;
//   }
//
// Tables live in function-local statics so that nested tables never depend on
// static initialization order.

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/units.h"
#include "daemon/config/diagnostics.h"
#include "daemon/config/value.h"

namespace brandmon::config {

// Writes the effective config (and other pretty JSON). It follows the option
// path of each value it writes ("sources[2].url"), so that with RedactPaths()
// every string at a path the loader substituted is written as the value's
// placeholder, whichever option kind (string, duration, enum, list...)
// formats it. Thread-compatible.
class JsonWriter : public rapidjson::PrettyWriter<rapidjson::StringBuffer> {
 public:
  using Base = rapidjson::PrettyWriter<rapidjson::StringBuffer>;
  using SizeType = rapidjson::SizeType;
  explicit JsonWriter(rapidjson::StringBuffer& buffer) : Base(buffer) {}

  // Strings at the paths `redactor` holds become their placeholders.
  // REQUIRES: `redactor` outlives the writer; the document is the whole config.
  void RedactPaths(const Redactor* redactor) { redactor_ = redactor; }
  // Secret options are written as they are, not as "<redacted>": for a dump
  // that is only compared with another, in memory, and never shown.
  void RevealSecrets() { reveal_secrets_ = true; }
  bool reveals_secrets() const { return reveal_secrets_; }

  bool StartObject() {
    frames_.push_back({false, 0, {}});
    return Base::StartObject();
  }
  bool EndObject(SizeType count = 0) {
    Leave();
    return Base::EndObject(count);
  }
  bool StartArray() {
    frames_.push_back({true, 0, {}});
    return Base::StartArray();
  }
  bool EndArray(SizeType count = 0) {
    Leave();
    return Base::EndArray(count);
  }
  bool Key(const char* s, SizeType n, bool copy = false) {
    if (!frames_.empty()) frames_.back().key.assign(s, n);
    return Base::Key(s, n, copy);
  }
  bool Key(const char* s) { return Key(s, static_cast<SizeType>(std::char_traits<char>::length(s))); }
  bool String(const char* s, SizeType n, bool copy = false) {
    const std::string* placeholder = Placeholder();
    Advance();
    if (placeholder != nullptr) return Base::String(placeholder->data(), static_cast<SizeType>(placeholder->size()));
    return Base::String(s, n, copy);
  }
  bool String(const char* s) { return String(s, static_cast<SizeType>(std::char_traits<char>::length(s))); }
  bool String(const std::string& s) { return String(s.data(), static_cast<SizeType>(s.size())); }
  bool Null() {
    Advance();
    return Base::Null();
  }
  bool Bool(bool b) {
    Advance();
    return Base::Bool(b);
  }
  bool Int(int i) {
    Advance();
    return Base::Int(i);
  }
  bool Uint(unsigned u) {
    Advance();
    return Base::Uint(u);
  }
  bool Int64(int64_t i) {
    Advance();
    return Base::Int64(i);
  }
  bool Uint64(uint64_t u) {
    Advance();
    return Base::Uint64(u);
  }
  bool Double(double d) {
    Advance();
    return Base::Double(d);
  }

 private:
  struct Frame {
    bool array;
    size_t index;
    std::string key;
  };
  std::string CurrentPath() const;
  const std::string* Placeholder() const;
  // A value was written in the innermost container.
  void Advance() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }
  void Leave() {
    if (!frames_.empty()) frames_.pop_back();
    Advance();
  }

  const Redactor* redactor_ = nullptr;
  bool reveal_secrets_ = false;
  std::vector<Frame> frames_;
};

enum class OptionType {
  kString,
  kSecret,
  kBool,
  kInt,
  kDouble,
  kDuration,
  kSize,
  kEnum,
  kStringList,
  kPath,
  kPathList,
  kStringMap,
  kNumberMap,
  kObject,
  kObjectList,
  kAny,
};

// Whether a reload applies an option, as Redis marks its config table
// MODIFIABLE_CONFIG or IMMUTABLE_CONFIG. kInherit takes the mode of the
// enclosing object option, so that a section is marked once and only its
// exceptions say otherwise; at the top level it means kApplied.
enum class ReloadMode {
  kInherit,
  kApplied,  // a reload puts the new value in effect
  kRestart,  // the running daemon keeps the value it started with
};

// What an option is, independent of the struct it fills: used for docs,
// `brandmonctl plugins`, unknown-key checks and suggestions.
struct OptionInfo {
  std::string key;
  OptionType type = OptionType::kString;
  bool required = false;
  std::string default_text;  // as a user would write it; empty when none
  std::string bounds_text;   // e.g. "1 to 10000"
  std::string doc;
  std::vector<std::string> choices;                 // kEnum
  std::function<std::vector<OptionInfo>()> nested;  // kObject, kObjectList
  ReloadMode reload = ReloadMode::kInherit;
};

// The mode of an option whose enclosing object has the mode `enclosing`.
inline ReloadMode EffectiveReload(const OptionInfo& info, ReloadMode enclosing) {
  return info.reload != ReloadMode::kInherit ? info.reload : enclosing;
}

// The name a type has in docs and error messages: "duration", "string list"...
std::string_view TypeName(OptionType type);

// Passed down while applying tables. `redactor` is filled by the loader.
struct ApplyContext {
  Diagnostics& diag;
  const Redactor* redactor = nullptr;
};

template <typename T>
struct OptionSpec {
  OptionInfo info;
  // Sets the field from `value`, or to its default when `value` is null.
  std::function<void(T& out, const ConfigValue* value, const std::string& path, ApplyContext& ctx)> apply;
  // Writes "key": value of the effective config.
  std::function<void(const T& in, JsonWriter& w, const Redactor* redactor)> dump;
};

template <typename T>
using OptionTable = std::vector<OptionSpec<T>>;

struct Required {};
inline constexpr Required kRequired{};

template <typename N>
struct Range {
  N min;
  N max;
};
struct DurRange {
  std::string_view min;
  std::string_view max;
};
struct SizeRange {
  std::string_view min;
  std::string_view max;
};

std::string JoinPath(std::string_view parent, std::string_view key);
std::string JoinIndex(std::string_view parent, size_t index);
// The path `text` written at `v`: a relative one is taken relative to the
// folder of the config file that holds `v` (as `include` and ${file:} are);
// empty and absolute paths, and values made in code, are returned as given.
std::string ResolvePath(const ConfigValue& v, const std::string& text);
// Quotes a config value for an error message: "fast", 12, an object.
std::string Describe(const ConfigValue& v);
void WriteString(JsonWriter& w, std::string_view s, const Redactor* redactor, bool secret = false);

template <typename T>
std::vector<OptionInfo> Infos(const OptionTable<T>& table) {
  std::vector<OptionInfo> out;
  for (const auto& spec : table) out.push_back(spec.info);
  return out;
}

// Reports keys of `obj` that no table knows, and keys given twice.
void CheckKeys(const ConfigValue& obj, const std::string& path, const std::vector<OptionInfo>& known,
               ApplyContext& ctx);

template <typename T>
void ApplyOptions(const OptionTable<T>& table, const ConfigValue& obj, const std::string& path, ApplyContext& ctx,
                  T& out);

// Fills `out` from the object `obj` by `table`: defaults for absent options,
// errors for unknown keys, repeats, wrong types and out-of-range values.
// `extra_known` are keys another table handles in the same object.
template <typename T>
void ApplyTable(const OptionTable<T>& table, const ConfigValue& obj, const std::string& path, ApplyContext& ctx, T& out,
                const std::vector<OptionInfo>& extra_known = {}) {
  if (obj.is_object()) {
    std::vector<OptionInfo> known = Infos(table);
    known.insert(known.end(), extra_known.begin(), extra_known.end());
    CheckKeys(obj, path, known, ctx);
  }
  ApplyOptions(table, obj, path, ctx, out);
}

// ApplyTable without the unknown-key check, for objects that several tables
// share (a source's common options and its plugin's options); the caller runs
// CheckKeys once over the union.
template <typename T>
void ApplyOptions(const OptionTable<T>& table, const ConfigValue& obj, const std::string& path, ApplyContext& ctx,
                  T& out) {
  if (!obj.is_object()) {
    ctx.diag.Error(obj.pos(), path, "expected an object, got " + Describe(obj));
    for (const auto& spec : table) {
      if (!spec.info.required) spec.apply(out, nullptr, JoinPath(path, spec.info.key), ctx);
    }
    return;
  }
  for (const auto& spec : table) {
    const ConfigValue* value = obj.Find(spec.info.key);
    if (value == nullptr && spec.info.required) {
      ctx.diag.Error(obj.pos(), path, "missing required option '" + spec.info.key + "'");
      continue;
    }
    spec.apply(out, value, JoinPath(path, spec.info.key), ctx);
  }
}

// Applies `table` to an empty object: every option at its default.
template <typename T>
void ApplyDefaults(const OptionTable<T>& table, T& out) {
  Diagnostics diag;
  ApplyContext ctx{diag};
  for (const auto& spec : table) spec.apply(out, nullptr, spec.info.key, ctx);
}

// Writes the members of `in` (without the enclosing braces).
template <typename T>
void DumpMembers(const OptionTable<T>& table, const T& in, JsonWriter& w, const Redactor* redactor) {
  for (const auto& spec : table) spec.dump(in, w, redactor);
}

template <typename T>
void DumpTable(const OptionTable<T>& table, const T& in, JsonWriter& w, const Redactor* redactor) {
  w.StartObject();
  DumpMembers(table, in, w, redactor);
  w.EndObject();
}

// ---- Option builders -------------------------------------------------------

namespace detail {

template <typename T, typename F>
OptionSpec<T> Make(OptionInfo info, F&& parse_into,
                   std::function<void(const T&, JsonWriter&, const Redactor*)> dump_value) {
  OptionSpec<T> spec;
  std::string key = info.key;
  spec.info = std::move(info);
  spec.apply = std::forward<F>(parse_into);
  spec.dump = [key, dump_value](const T& in, JsonWriter& w, const Redactor* r) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    dump_value(in, w, r);
  };
  return spec;
}

bool ExpectKind(const ConfigValue& v, ConfigValue::Kind kind, std::string_view want, const std::string& path,
                ApplyContext& ctx);

// Replaces `out` with the strings of the array `v` (absent: empty), each
// passed through `convert`; anything else is an error at its position.
template <typename F>
void ReadStrings(const ConfigValue* v, const std::string& path, ApplyContext& ctx, std::vector<std::string>& out,
                 F&& convert) {
  out.clear();
  if (!v || !ExpectKind(*v, ConfigValue::Kind::kArray, "an array of strings", path, ctx)) return;
  for (size_t i = 0; i < v->items().size(); ++i) {
    const ConfigValue& item = v->items()[i];
    if (ExpectKind(item, ConfigValue::Kind::kString, "a string", JoinIndex(path, i), ctx)) out.push_back(convert(item));
  }
}

// `items` as written in a config, ["a", "b"]; with an empty `quote`, a, b.
std::string ListText(const std::vector<std::string>& items, std::string_view quote = "\"");
// The names of the array `v` that are `choices`, each once (errors: ctx.diag).
std::vector<std::string> ReadChoices(const ConfigValue& v, const std::vector<std::string>& choices,
                                     const std::string& path, ApplyContext& ctx);

}  // namespace detail

template <typename T>
OptionSpec<T> Str(std::string key, std::string def, std::string T::*field, std::string doc) {
  OptionInfo info{key, OptionType::kString, false, def, "", std::move(doc), {}, {}};
  return detail::Make<T>(
      std::move(info),
      [field, def](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
        if (!v) {
          out.*field = def;
          return;
        }
        if (detail::ExpectKind(*v, ConfigValue::Kind::kString, "a string", path, ctx)) out.*field = v->as_string();
      },
      [field](const T& in, JsonWriter& w, const Redactor* r) { WriteString(w, in.*field, r); });
}

template <typename T>
OptionSpec<T> Str(std::string key, Required, std::string T::*field, std::string doc) {
  OptionSpec<T> spec = Str<T>(std::move(key), std::string(), field, std::move(doc));
  spec.info.required = true;
  return spec;
}

// A filesystem path; a relative one is relative to the folder of the config
// file it is written in (see ResolvePath).
template <typename T>
OptionSpec<T> Path(std::string key, std::string def, std::string T::*field, std::string doc) {
  OptionSpec<T> spec = Str<T>(std::move(key), def, field, std::move(doc));
  spec.info.type = OptionType::kPath;
  spec.apply = [field, def](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
    if (!v) {
      out.*field = def;
      return;
    }
    if (detail::ExpectKind(*v, ConfigValue::Kind::kString, "a string", path, ctx)) {
      out.*field = ResolvePath(*v, v->as_string());
    }
  };
  return spec;
}

template <typename T>
OptionSpec<T> Path(std::string key, Required, std::string T::*field, std::string doc) {
  OptionSpec<T> spec = Path<T>(std::move(key), std::string(), field, std::move(doc));
  spec.info.required = true;
  return spec;
}

// A string that is never shown: tokens, passwords, keys. Usually written as
// "${env:NAME}", "${file:PATH}" or "${credential:NAME}".
template <typename T>
OptionSpec<T> Secret(std::string key, std::string T::*field, std::string doc) {
  OptionSpec<T> spec = Str<T>(std::move(key), std::string(), field, std::move(doc));
  spec.info.type = OptionType::kSecret;
  spec.dump = [key = spec.info.key, field](const T& in, JsonWriter& w, const Redactor* r) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    WriteString(w, in.*field, r, /*secret=*/true);
  };
  return spec;
}

template <typename T>
OptionSpec<T> Bool(std::string key, bool def, bool T::*field, std::string doc) {
  OptionInfo info{key, OptionType::kBool, false, def ? "true" : "false", "", std::move(doc), {}, {}};
  return detail::Make<T>(
      std::move(info),
      [field, def](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
        if (!v) {
          out.*field = def;
          return;
        }
        if (detail::ExpectKind(*v, ConfigValue::Kind::kBool, "true or false", path, ctx)) out.*field = v->as_bool();
      },
      [field](const T& in, JsonWriter& w, const Redactor*) { w.Bool(in.*field); });
}

template <typename T, typename N>
OptionSpec<T> Int(std::string key, int64_t def, Range<int64_t> range, N T::*field, std::string doc) {
  OptionInfo info{key,
                  OptionType::kInt,
                  false,
                  std::to_string(def),
                  std::to_string(range.min) + " to " + std::to_string(range.max),
                  std::move(doc),
                  {},
                  {}};
  return detail::Make<T>(
      std::move(info),
      [field, def, range](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
        if (!v) {
          out.*field = static_cast<N>(def);
          return;
        }
        if (!v->is_int()) {
          ctx.diag.Error(v->pos(), path, "expected an integer, got " + Describe(*v));
          return;
        }
        if (v->as_int() < range.min || v->as_int() > range.max) {
          ctx.diag.Error(v->pos(), path,
                         "must be between " + std::to_string(range.min) + " and " + std::to_string(range.max) +
                             ", got " + std::to_string(v->as_int()));
          return;
        }
        out.*field = static_cast<N>(v->as_int());
      },
      [field](const T& in, JsonWriter& w, const Redactor*) { w.Int64(static_cast<int64_t>(in.*field)); });
}

std::string FormatNumber(double d);

template <typename T>
OptionSpec<T> Dbl(std::string key, double def, Range<double> range, double T::*field, std::string doc) {
  OptionInfo info{key,
                  OptionType::kDouble,
                  false,
                  FormatNumber(def),
                  FormatNumber(range.min) + " to " + FormatNumber(range.max),
                  std::move(doc),
                  {},
                  {}};
  return detail::Make<T>(
      std::move(info),
      [field, def, range](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
        if (!v) {
          out.*field = def;
          return;
        }
        if (!v->is_number()) {
          ctx.diag.Error(v->pos(), path, "expected a number, got " + Describe(*v));
          return;
        }
        double d = v->as_double();
        if (!(d >= range.min && d <= range.max)) {
          ctx.diag.Error(v->pos(), path,
                         "must be between " + FormatNumber(range.min) + " and " + FormatNumber(range.max) + ", got " +
                             FormatNumber(d));
          return;
        }
        out.*field = d;
      },
      [field](const T& in, JsonWriter& w, const Redactor*) { w.Double(in.*field); });
}

// Durations are written "250ms", "90s", "5m", "1h", "1h30m".
template <typename T>
OptionSpec<T> Dur(std::string key, std::string_view def, DurRange range, Duration T::*field, std::string doc) {
  Duration def_value = *ParseDuration(def);
  Duration lo = *ParseDuration(range.min), hi = *ParseDuration(range.max);
  OptionInfo info{key,
                  OptionType::kDuration,
                  false,
                  std::string(def),
                  std::string(range.min) + " to " + std::string(range.max),
                  std::move(doc),
                  {},
                  {}};
  return detail::Make<T>(
      std::move(info),
      [field, def_value, lo, hi](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
        if (!v) {
          out.*field = def_value;
          return;
        }
        std::optional<Duration> d;
        if (v->is_string()) d = ParseDuration(v->as_string());
        if (!d) {
          ctx.diag.Error(v->pos(), path, "expected a duration like \"5m\", got " + Describe(*v));
          return;
        }
        if (*d < lo || *d > hi) {
          ctx.diag.Error(
              v->pos(), path,
              "must be between " + FormatDuration(lo) + " and " + FormatDuration(hi) + ", got " + Describe(*v));
          return;
        }
        out.*field = *d;
      },
      [field](const T& in, JsonWriter& w, const Redactor*) { w.String(FormatDuration(in.*field)); });
}

// Sizes are written as bytes or "64KiB", "10MiB", "1GiB".
template <typename T>
OptionSpec<T> Size(std::string key, std::string_view def, SizeRange range, uint64_t T::*field, std::string doc) {
  uint64_t def_value = *ParseSize(def);
  uint64_t lo = *ParseSize(range.min), hi = *ParseSize(range.max);
  OptionInfo info{key,
                  OptionType::kSize,
                  false,
                  std::string(def),
                  std::string(range.min) + " to " + std::string(range.max),
                  std::move(doc),
                  {},
                  {}};
  return detail::Make<T>(
      std::move(info),
      [field, def_value, lo, hi](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
        if (!v) {
          out.*field = def_value;
          return;
        }
        std::optional<uint64_t> n;
        if (v->is_string()) n = ParseSize(v->as_string());
        if (v->is_int() && v->as_int() >= 0) n = static_cast<uint64_t>(v->as_int());
        if (!n) {
          ctx.diag.Error(v->pos(), path, "expected a size like \"10MiB\", got " + Describe(*v));
          return;
        }
        if (*n < lo || *n > hi) {
          ctx.diag.Error(v->pos(), path,
                         "must be between " + FormatSize(lo) + " and " + FormatSize(hi) + ", got " + Describe(*v));
          return;
        }
        out.*field = *n;
      },
      [field](const T& in, JsonWriter& w, const Redactor*) { w.String(FormatSize(in.*field)); });
}

template <typename T>
OptionSpec<T> Enum(std::string key, std::string def, std::vector<std::string> choices, std::string T::*field,
                   std::string doc) {
  std::string bounds;
  for (const auto& c : choices) bounds += (bounds.empty() ? "" : ", ") + (c.empty() ? std::string("\"\"") : c);
  OptionInfo info{key, OptionType::kEnum, false, def, bounds, std::move(doc), choices, {}};
  return detail::Make<T>(
      std::move(info),
      [field, def, choices, bounds](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
        if (!v) {
          out.*field = def;
          return;
        }
        for (const auto& c : choices) {
          if (v->is_string() && v->as_string() == c) {
            out.*field = c;
            return;
          }
        }
        ctx.diag.Error(v->pos(), path, "expected one of " + bounds + ", got " + Describe(*v));
      },
      [field](const T& in, JsonWriter& w, const Redactor*) { w.String(in.*field); });
}

template <typename T>
OptionSpec<T> StrList(std::string key, std::vector<std::string> T::*field, std::string doc) {
  OptionInfo info{key, OptionType::kStringList, false, "[]", "", std::move(doc), {}, {}};
  return detail::Make<T>(
      std::move(info),
      [field](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
        detail::ReadStrings(v, path, ctx, out.*field, [](const ConfigValue& item) { return item.as_string(); });
      },
      [field](const T& in, JsonWriter& w, const Redactor* r) {
        w.StartArray();
        for (const auto& s : in.*field) WriteString(w, s, r);
        w.EndArray();
      });
}

// A list of names, each one of `choices` and each once; absent means `def`.
template <typename T>
OptionSpec<T> EnumList(std::string key, std::vector<std::string> def, std::vector<std::string> choices,
                       std::vector<std::string> T::*field, std::string doc) {
  OptionSpec<T> spec = StrList<T>(std::move(key), field, std::move(doc));
  spec.info.default_text = detail::ListText(def);
  spec.info.bounds_text = "any of " + detail::ListText(choices, "");
  spec.apply = [field, def, choices](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
    out.*field = v ? detail::ReadChoices(*v, choices, path, ctx) : def;
  };
  return spec;
}

// A list of filesystem paths, each resolved like Path().
template <typename T>
OptionSpec<T> PathList(std::string key, std::vector<std::string> T::*field, std::string doc) {
  OptionSpec<T> spec = StrList<T>(std::move(key), field, std::move(doc));
  spec.info.type = OptionType::kPathList;
  spec.apply = [field](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
    detail::ReadStrings(v, path, ctx, out.*field,
                        [](const ConfigValue& item) { return ResolvePath(item, item.as_string()); });
  };
  return spec;
}

// An object of string values, e.g. HTTP headers. Values may carry secrets.
template <typename T>
OptionSpec<T> StrMap(std::string key, std::map<std::string, std::string> T::*field, std::string doc) {
  OptionInfo info{key, OptionType::kStringMap, false, "{}", "", std::move(doc), {}, {}};
  return detail::Make<T>(
      std::move(info),
      [field](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
        (out.*field).clear();
        if (!v) return;
        if (!detail::ExpectKind(*v, ConfigValue::Kind::kObject, "an object of strings", path, ctx)) return;
        for (const auto& m : v->members()) {
          if (detail::ExpectKind(m.value, ConfigValue::Kind::kString, "a string", JoinPath(path, m.key), ctx)) {
            (out.*field)[m.key] = m.value.as_string();
          }
        }
      },
      [field](const T& in, JsonWriter& w, const Redactor* r) {
        w.StartObject();
        for (const auto& [k, s] : in.*field) {
          w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
          WriteString(w, s, r);
        }
        w.EndObject();
      });
}

// An object of numbers, e.g. lexicon overrides {"sick": 2}.
template <typename T>
OptionSpec<T> NumMap(std::string key, Range<double> range, std::map<std::string, double> T::*field, std::string doc) {
  OptionInfo info{key,
                  OptionType::kNumberMap,
                  false,
                  "{}",
                  "values " + FormatNumber(range.min) + " to " + FormatNumber(range.max),
                  std::move(doc),
                  {},
                  {}};
  return detail::Make<T>(
      std::move(info),
      [field, range](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
        (out.*field).clear();
        if (!v) return;
        if (!detail::ExpectKind(*v, ConfigValue::Kind::kObject, "an object of numbers", path, ctx)) return;
        for (const auto& m : v->members()) {
          std::string sub = JoinPath(path, m.key);
          if (!m.value.is_number()) {
            ctx.diag.Error(m.value.pos(), sub, "expected a number, got " + Describe(m.value));
          } else if (!(m.value.as_double() >= range.min && m.value.as_double() <= range.max)) {
            ctx.diag.Error(m.value.pos(), sub,
                           "must be between " + FormatNumber(range.min) + " and " + FormatNumber(range.max) + ", got " +
                               FormatNumber(m.value.as_double()));
          } else {
            (out.*field)[m.key] = m.value.as_double();
          }
        }
      },
      [field](const T& in, JsonWriter& w, const Redactor*) {
        w.StartObject();
        for (const auto& [k, d] : in.*field) {
          w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
          w.Double(d);
        }
        w.EndObject();
      });
}

// A nested object described by its own table.
template <typename T, typename U>
OptionSpec<T> Obj(std::string key, U T::*field, const OptionTable<U>& (*table)(), std::string doc) {
  OptionInfo info{key, OptionType::kObject, false, "", "", std::move(doc), {}, [table] { return Infos(table()); }};
  return detail::Make<T>(
      std::move(info),
      [field, table](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
        if (!v) {
          ApplyDefaults(table(), out.*field);
          return;
        }
        ApplyTable(table(), *v, path, ctx, out.*field);
      },
      [field, table](const T& in, JsonWriter& w, const Redactor* r) { DumpTable(table(), in.*field, w, r); });
}

// An array of objects, each described by the same table.
template <typename T, typename U>
OptionSpec<T> ObjList(std::string key, std::vector<U> T::*field, const OptionTable<U>& (*table)(), std::string doc) {
  OptionInfo info{key, OptionType::kObjectList, false, "[]",
                  "",  std::move(doc),          {},    [table] { return Infos(table()); }};
  return detail::Make<T>(
      std::move(info),
      [field, table](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
        (out.*field).clear();
        if (!v) return;
        if (!detail::ExpectKind(*v, ConfigValue::Kind::kArray, "an array of objects", path, ctx)) return;
        for (size_t i = 0; i < v->items().size(); ++i) {
          U item{};
          ApplyTable(table(), v->items()[i], JoinIndex(path, i), ctx, item);
          (out.*field).push_back(std::move(item));
        }
      },
      [field, table](const T& in, JsonWriter& w, const Redactor* r) {
        w.StartArray();
        for (const auto& item : in.*field) DumpTable(table(), item, w, r);
        w.EndArray();
      });
}

// `spec` as applied only at the next start: a reload keeps the value the
// daemon started with. On an object option this marks the options inside it
// that do not say otherwise.
template <typename T>
OptionSpec<T> RestartOnly(OptionSpec<T> spec) {
  spec.info.reload = ReloadMode::kRestart;
  return spec;
}

// `spec` as applied by a reload, inside an object marked RestartOnly.
template <typename T>
OptionSpec<T> Reloadable(OptionSpec<T> spec) {
  spec.info.reload = ReloadMode::kApplied;
  return spec;
}

// ---- Reload ------------------------------------------------------------------

// A restart-only option whose value differs between the running config and
// a newly loaded one.
struct OptionChange {
  std::string key;         // the full dotted path, e.g. "store.file"
  std::string running;     // the value the daemon runs with, as compact JSON, redacted
  std::string configured;  // the value in the new config, likewise
};

namespace detail {

// Diffs dumps of two configs made by one table whose options are `infos`:
// `*_exact` dumps show every value (compared only), `*_shown` ones are
// redacted (quoted in the result).
std::vector<OptionChange> RestartOnlyChanges(const std::vector<OptionInfo>& infos, const std::string& running_exact,
                                             const std::string& running_shown, const std::string& loaded_exact,
                                             const std::string& loaded_shown);

// `in` by `table` as JSON. `redactor`: secrets redacted and values
// substituted from it shown as placeholders; nullptr: every value exact.
template <typename T>
std::string Dump(const OptionTable<T>& table, const T& in, const Redactor* redactor) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  if (redactor != nullptr) {
    w.RedactPaths(redactor);
  } else {
    w.RevealSecrets();
  }
  DumpTable(table, in, w, redactor);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace detail

// The options marked restart-only (see ReloadMode) whose values differ
// between `running` and `loaded`, in table order; each config's values are
// shown redacted by its own redactor. A secret that changed is listed, shown
// as "<redacted>" on both sides.
template <typename T>
std::vector<OptionChange> RestartOnlyChanges(const OptionTable<T>& table, const T& running,
                                             const Redactor& running_redactor, const T& loaded,
                                             const Redactor& loaded_redactor) {
  return detail::RestartOnlyChanges(
      Infos(table), detail::Dump(table, running, nullptr), detail::Dump(table, running, &running_redactor),
      detail::Dump(table, loaded, nullptr), detail::Dump(table, loaded, &loaded_redactor));
}

}  // namespace brandmon::config
