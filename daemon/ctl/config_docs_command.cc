#include <ostream>

#include "daemon/ctl/command.h"

namespace brandmon::ctl {

int RunConfigDocs(Invocation& inv) {
  inv.err << "not yet\n";
  return 1;
}

}  // namespace brandmon::ctl
