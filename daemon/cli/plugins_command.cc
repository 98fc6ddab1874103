#include <ostream>

#include "daemon/cli/command.h"
#include "daemon/plugin/registry.h"

namespace brandmon::cli {

int RunPlugins(Invocation& inv) {
  bool json = false;
  for (const auto& a : inv.args) {
    if (a == "--json") {
      json = true;
    } else {
      inv.err << "brandmonctl plugins: unknown argument '" << a << "'\n";
      return 2;
    }
  }
  const auto& plugins = plugin::BuiltinRegistry().all();
  if (json) {
    rapidjson::StringBuffer buf;
    config::JsonWriter w(buf);
    w.StartArray();
    for (const auto& p : plugins) {
      w.StartObject();
      w.Key("name");
      w.String(p.name);
      w.Key("kind");
      w.String(p.kind == plugin::PluginInfo::Kind::kHttp ? "http" : "poll");
      w.Key("description");
      w.String(p.description);
      w.Key("options");
      w.StartArray();
      for (const auto& o : p.options) {
        w.StartObject();
        w.Key("key");
        w.String(o.key);
        w.Key("type");
        w.String(std::string(config::TypeName(o.type)));
        w.Key("required");
        w.Bool(o.required);
        w.Key("default");
        w.String(o.default_text);
        w.Key("doc");
        w.String(o.doc);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    inv.out << buf.GetString() << "\n";
    return 0;
  }
  for (const auto& p : plugins) {
    inv.out << p.name << " — " << p.description << "\n";
    for (const auto& o : p.options) {
      inv.out << "    " << o.key << " (" << config::TypeName(o.type);
      if (o.required) {
        inv.out << ", required";
      } else if (!o.default_text.empty()) {
        inv.out << ", default " << o.default_text;
      }
      inv.out << "): " << o.doc << "\n";
    }
    inv.out << "\n";
  }
  return 0;
}

}  // namespace brandmon::cli
