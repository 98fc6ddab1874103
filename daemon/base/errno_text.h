#pragma once

#include <string>

namespace brandmon {

// The message of an errno value ("No such file or directory"), as strerror
// gives it but safe to call from any thread.
std::string ErrnoText(int error);

}  // namespace brandmon
