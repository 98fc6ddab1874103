#pragma once

#include <string_view>

namespace brandmon {

// The version `--version` prints: the release and the git revision the
// programs were built from, "0.2.0 (g1a2b3c4)", with ", dirty" when the tree
// had uncommitted changes, or the release alone when it was not built from a
// git checkout. Defined in a source generated at build time
// (cmake/BrandmonVersion.cmake); link brandmon_version to use it.
std::string_view BuildVersion();

}  // namespace brandmon
