#include "daemon/base/errno_text.h"

#include <string.h>

namespace brandmon {

std::string ErrnoText(int error) {
  char buf[256];
  // The GNU strerror_r returns the message: in `buf`, or a static string.
  return strerror_r(error, buf, sizeof buf);
}

}  // namespace brandmon
