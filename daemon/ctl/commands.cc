#include <iostream>
#include <ostream>

#include "daemon/ctl/command.h"

namespace brandmon::ctl {

// Each subcommand lives in its own <name>_command.cc.
int RunConfigDocs(Invocation& inv);
int RunPlugins(Invocation& inv);

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"plugins", "list the source plugins with their options and defaults", "brandmonctl plugins [--json]",
       RunPlugins},
      {"config-docs", "write the config reference (docs/config.md) generated from the option tables",
       "brandmonctl config-docs [--output FILE]", RunConfigDocs},
  };
  return commands;
}

namespace {

void PrintHelp(std::ostream& out) {
  out << "brandmonctl — work with brandmon: check feeds, score text, test queries, talk to the daemon\n\n"
         "usage: brandmonctl COMMAND [OPTIONS]\n\ncommands:\n";
  for (const auto& c : Commands()) {
    out << "  " << c.name << std::string(c.name.size() < 14 ? 14 - c.name.size() : 1, ' ') << c.summary << "\n";
  }
  out << "\nRun 'brandmonctl COMMAND --help' for a command's options.\n";
}

}  // namespace

int RunCtl(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintHelp(args.empty() ? err : out);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    out << "brandmonctl " << BRANDMON_VERSION << "\n";
    return 0;
  }
  for (const auto& c : Commands()) {
    if (c.name != args[0]) continue;
    Invocation inv{std::vector<std::string>(args.begin() + 1, args.end()), in, out, err};
    for (const auto& a : inv.args) {
      if (a == "--help" || a == "-h") {
        out << "usage: " << c.usage << "\n\n" << c.summary << "\n";
        return 0;
      }
    }
    return c.run(inv);
  }
  err << "brandmonctl: unknown command '" << args[0] << "' (see 'brandmonctl --help')\n";
  return 2;
}

}  // namespace brandmon::ctl
