#include "daemon/config/loader.h"

#include <glob.h>

#include <cstdlib>
#include <filesystem>

#include "daemon/config/json_reader.h"

namespace brandmon::config {
namespace {

constexpr size_t kMaxSecretFileBytes = 1u << 20;

std::vector<std::string> Glob(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  globfree(&g);
  return out;  // glob() sorts its results
}

bool HasGlobChars(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

void Merge(ConfigValue& into, ConfigValue&& from, const std::string& path, Diagnostics& diag) {
  for (auto& m : from.mutable_members()) {
    std::string sub = path.empty() ? m.key : path + "." + m.key;
    ConfigValue* existing = nullptr;
    for (auto& e : into.mutable_members()) {
      if (e.key == m.key) existing = &e.value;
    }
    if (existing == nullptr) {
      into.mutable_members().push_back(std::move(m));
    } else if (existing->is_array() && m.value.is_array()) {
      for (auto& item : m.value.mutable_items()) existing->mutable_items().push_back(std::move(item));
    } else if (existing->is_object() && m.value.is_object()) {
      Merge(*existing, std::move(m.value), sub, diag);
    } else {
      diag.Error(m.key_pos, sub, "already set at " + existing->pos().ToString());
    }
  }
}

std::optional<std::string> ReadSmallFile(const std::string& path, std::string& error) {
  // Only regular files: /dev/zero would never end and a FIFO could block.
  auto text = ReadRegularFile(path, kMaxSecretFileBytes);
  if (!text.ok()) {
    error = "cannot read " + text.status().message();
    return std::nullopt;
  }
  std::string s = std::move(text).value();
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

class Substituter {
 public:
  Substituter(const EnvLookup& env, Diagnostics& diag, Redactor& redactor, std::string base_dir)
      : env_(env), diag_(diag), redactor_(redactor), base_dir_(std::move(base_dir)) {}

  void Walk(ConfigValue& v, const std::string& path) {
    if (v.is_string()) {
      Substitute(v, path);
    } else if (v.is_array()) {
      for (size_t i = 0; i < v.mutable_items().size(); ++i) {
        Walk(v.mutable_items()[i], path + "[" + std::to_string(i) + "]");
      }
    } else if (v.is_object()) {
      const ConfigValue* enabled = v.Find("enabled");
      if (enabled != nullptr && enabled->is_bool() && !enabled->as_bool()) return;
      for (auto& m : v.mutable_members()) Walk(m.value, path.empty() ? m.key : path + "." + m.key);
    }
  }

 private:
  void Substitute(ConfigValue& v, const std::string& path) {
    const std::string& in = v.as_string();
    if (in.find('$') == std::string::npos) return;
    std::string out;
    bool substituted = false;
    size_t i = 0;
    while (i < in.size()) {
      if (in.compare(i, 3, "$${") == 0) {
        out += "${";
        i += 3;
        continue;
      }
      if (in.compare(i, 2, "${") != 0) {
        out += in[i++];
        continue;
      }
      size_t close = in.find('}', i);
      if (close == std::string::npos) {
        diag_.Error(v.pos(), path, "unterminated \"${\" (write \"$${\" for a literal)");
        return;
      }
      std::string ref = in.substr(i + 2, close - i - 2);
      auto value = Resolve(ref, v, path);
      if (!value) return;
      redactor_.AddSecret(*value);
      diag_.HideSecret(*value, "<redacted ${" + ref + "}>");
      out += *value;
      substituted = true;
      i = close + 1;
    }
    if (substituted) {
      v.set_written(in);
      redactor_.AddPath(path, v.Placeholder());
    }
    v.mutable_string() = std::move(out);
  }

  std::optional<std::string> Resolve(const std::string& ref, const ConfigValue& v, const std::string& path) {
    size_t colon = ref.find(':');
    std::string kind = ref.substr(0, colon);
    std::string arg = colon == std::string::npos ? "" : ref.substr(colon + 1);
    if (colon == std::string::npos || arg.empty()) {
      diag_.Error(v.pos(), path, "expected ${env:NAME}, ${file:PATH} or ${credential:NAME}, got \"${" + ref + "}\"");
      return std::nullopt;
    }
    std::string error;
    if (kind == "env") {
      auto value = env_(arg);
      if (!value) diag_.Error(v.pos(), path, "environment variable " + arg + " is not set");
      return value;
    }
    if (kind == "file") {
      std::filesystem::path p(arg);
      if (p.is_relative()) p = std::filesystem::path(base_dir_) / p;
      auto value = ReadSmallFile(p.string(), error);
      if (!value) diag_.Error(v.pos(), path, error);
      return value;
    }
    if (kind == "credential") {
      auto dir = env_("CREDENTIALS_DIRECTORY");
      if (!dir) {
        diag_.Error(v.pos(), path,
                    "${credential:" + arg + "} needs $CREDENTIALS_DIRECTORY (set by systemd's LoadCredential=)");
        return std::nullopt;
      }
      if (arg.find('/') != std::string::npos) {
        diag_.Error(v.pos(), path, "credential name must not contain '/': \"" + arg + "\"");
        return std::nullopt;
      }
      auto value = ReadSmallFile(*dir + "/" + arg, error);
      if (!value) diag_.Error(v.pos(), path, "credential " + arg + ": " + error);
      return value;
    }
    diag_.Error(v.pos(), path, "unknown substitution \"${" + kind + ":…}\" (use env, file or credential)");
    return std::nullopt;
  }

  const EnvLookup& env_;
  Diagnostics& diag_;
  Redactor& redactor_;
  std::string base_dir_;
};

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<LoadedTree> LoadConfigTree(const std::string& path, const EnvLookup& env, Diagnostics& diag) {
  auto root = ParseConfigFile(path);
  if (!root.ok()) return root.status();
  LoadedTree tree;
  tree.root = std::move(root).value();
  tree.files.push_back(path);
  if (!tree.root.is_object()) {
    return Status::InvalidArgument(tree.root.pos().ToString() + ": the config must be a JSON object, got " +
                                   std::string(tree.root.KindName()));
  }
  std::string base_dir = std::filesystem::path(path).parent_path().string();
  if (base_dir.empty()) base_dir = ".";

  // Take "include" out of the root before merging, so included files may not
  // include again (one level keeps the result easy to reason about).
  ConfigValue includes;
  auto& members = tree.root.mutable_members();
  for (auto it = members.begin(); it != members.end(); ++it) {
    if (it->key == "include") {
      includes = std::move(it->value);
      members.erase(it);
      break;
    }
  }
  if (!includes.is_null() && !includes.is_array()) {
    diag.Error(includes.pos(), "include", "expected an array of file globs, got " + std::string(includes.KindName()));
  } else {
    for (size_t i = 0; i < includes.items().size(); ++i) {
      const ConfigValue& item = includes.items()[i];
      std::string ipath = "include[" + std::to_string(i) + "]";
      if (!item.is_string()) {
        diag.Error(item.pos(), ipath, "expected a file glob, got " + std::string(item.KindName()));
        continue;
      }
      std::filesystem::path pattern(item.as_string());
      if (pattern.is_relative()) pattern = std::filesystem::path(base_dir) / pattern;
      std::vector<std::string> matches = Glob(pattern.string());
      if (matches.empty() && !HasGlobChars(item.as_string())) {
        diag.Error(item.pos(), ipath, "no such file: " + pattern.string());
      }
      for (const auto& file : matches) {
        auto sub = ParseConfigFile(file);
        if (!sub.ok()) {
          diag.Error(item.pos(), ipath, sub.status().message());
          continue;
        }
        if (!sub->is_object()) {
          diag.Error(sub->pos(), "", "an included config must be a JSON object");
          continue;
        }
        if (const ConfigValue* nested = sub->Find("include")) {
          diag.Error(nested->pos(), "include", "included files cannot include others");
          continue;
        }
        tree.files.push_back(file);
        Merge(tree.root, std::move(sub).value(), "", diag);
      }
    }
  }
  Substituter(env, diag, tree.redactor, base_dir).Walk(tree.root, "");
  return tree;
}

}  // namespace brandmon::config
