#include <ostream>
#include <string>

#include "daemon/cli/command.h"
#include "daemon/settings/config_docs.h"

namespace brandmon::cli {

int RunConfigDocs(Invocation& inv) {
  std::string output, format = "md";
  for (size_t i = 0; i < inv.args.size(); ++i) {
    const std::string& a = inv.args[i];
    if ((a == "--output" || a == "-o") && i + 1 < inv.args.size()) {
      output = inv.args[++i];
    } else if (a == "--format" && i + 1 < inv.args.size() && (inv.args[i + 1] == "md" || inv.args[i + 1] == "man")) {
      format = inv.args[++i];
    } else {
      inv.err << "brandmonctl config-docs: unknown argument '" << a << "' (--format takes md or man)\n";
      return 2;
    }
  }
  const plugin::Registry& registry = plugin::BuiltinRegistry();
  return WriteOutput(inv, "config-docs", output,
                     format == "man" ? settings::GenerateConfigMan(registry) : settings::GenerateConfigDocs(registry));
}

}  // namespace brandmon::cli
