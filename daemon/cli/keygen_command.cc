// `brandmonctl keygen`: a CURVE key pair for the alert publisher or a subscriber.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <ostream>
#include <string>

#include "daemon/base/errno_text.h"
#include "daemon/cli/command.h"
#include "daemon/publish/curve_keys.h"

namespace brandmon::cli {
namespace {

// Writes `content` to a new file with `mode`; an existing file is an error,
// so a key is never silently replaced.
Status WriteNewFile(const std::string& path, const std::string& content, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Status::Unavailable("cannot create " + path + ": " + ErrnoText(errno));
  // The umask may have narrowed the mode further, never widened it; fchmod
  // makes the public key readable as documented.
  fchmod(fd, mode);
  ssize_t n = write(fd, content.data(), content.size());
  bool ok = n == static_cast<ssize_t>(content.size());
  ok = close(fd) == 0 && ok;
  if (!ok) {
    unlink(path.c_str());
    return Status::Unavailable("cannot write " + path);
  }
  return Status::Ok();
}

}  // namespace

int RunKeygen(Invocation& inv) {
  std::string prefix;
  for (size_t i = 0; i < inv.args.size(); ++i) {
    if ((inv.args[i] == "--output" || inv.args[i] == "-o") && i + 1 < inv.args.size()) {
      prefix = inv.args[++i];
    } else {
      inv.err << "brandmonctl keygen: unexpected argument '" << inv.args[i] << "'\n";
      return 2;
    }
  }
  auto pair = publish::GenerateCurveKeyPair();
  if (!pair.ok()) {
    inv.err << "brandmonctl keygen: " << pair.status().message() << "\n";
    return 1;
  }
  if (prefix.empty()) {
    inv.out << "public-key: " << pair->public_key << "\nsecret-key: " << pair->secret_key << "\n";
    return 0;
  }
  if (auto s = WriteNewFile(prefix + ".key", pair->secret_key + "\n", 0600); !s.ok()) {
    inv.err << "brandmonctl keygen: " << s.message() << "\n";
    return 1;
  }
  if (auto s = WriteNewFile(prefix + ".pub", pair->public_key + "\n", 0644); !s.ok()) {
    unlink((prefix + ".key").c_str());
    inv.err << "brandmonctl keygen: " << s.message() << "\n";
    return 1;
  }
  inv.out << "wrote " << prefix << ".key (secret, mode 0600) and " << prefix << ".pub (public key " << pair->public_key
          << ")\n";
  return 0;
}

}  // namespace brandmon::cli
