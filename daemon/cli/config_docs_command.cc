#include <fstream>
#include <ostream>

#include "daemon/cli/command.h"
#include "daemon/settings/config_docs.h"

namespace brandmon::cli {

int RunConfigDocs(Invocation& inv) {
  std::string output;
  for (size_t i = 0; i < inv.args.size(); ++i) {
    if ((inv.args[i] == "--output" || inv.args[i] == "-o") && i + 1 < inv.args.size()) {
      output = inv.args[++i];
    } else {
      inv.err << "brandmonctl config-docs: unknown argument '" << inv.args[i] << "'\n";
      return 2;
    }
  }
  std::string docs = settings::GenerateConfigDocs(plugin::BuiltinRegistry());
  if (output.empty()) {
    inv.out << docs;
    return 0;
  }
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  file << docs;
  if (!file.flush()) {
    inv.err << "brandmonctl config-docs: cannot write " << output << "\n";
    return 1;
  }
  inv.err << "wrote " << output << "\n";
  return 0;
}

}  // namespace brandmon::cli
