#include "daemon/base/socket_file.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "tests/support/test_util.h"

namespace brandmon {
namespace {

using testing::TempDir;

// A Unix stream socket bound at `path`, listening unless `listen_on` is false;
// closed (without removing its file) on destruction or by Close().
class UnixSocket {
 public:
  UnixSocket(const std::string& path, bool listen_on) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
    if (listen_on) {
      EXPECT_EQ(listen(fd_, 4), 0);
    }
  }
  ~UnixSocket() { Close(); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

ino_t Inode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

TEST(SocketFileTest, ProbeTellsEachCaseApart) {
  TempDir dir;
  std::string path = (dir.path() / "s.sock").string();
  EXPECT_EQ(ProbeSocket(path).state, SocketProbe::kMissing);
  EXPECT_EQ(ProbeSocket((dir.path() / "no" / "s.sock").string()).state, SocketProbe::kMissing);
  {
    UnixSocket live(path, true);
    EXPECT_EQ(ProbeSocket(path).state, SocketProbe::kListening);
  }
  // The socket was closed but its file is still there: what a killed daemon leaves.
  EXPECT_EQ(ProbeSocket(path).state, SocketProbe::kStale);
  std::string file = dir.Write("plain", "x");
  EXPECT_EQ(ProbeSocket(file).state, SocketProbe::kNotSocket);
}

TEST(SocketFileTest, ClearStaleSocketRemovesOnlyADeadSocket) {
  TempDir dir;
  std::string path = (dir.path() / "s.sock").string();
  EXPECT_TRUE(ClearStaleSocket(path).ok()) << "nothing there";
  { UnixSocket dead(path, true); }
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE(ClearStaleSocket(path).ok());
  EXPECT_FALSE(std::filesystem::exists(path));

  UnixSocket live(path, true);
  Status s = ClearStaleSocket(path);
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_EQ(s.message(), path + " is in use by another process");
  EXPECT_EQ(ProbeSocket(path).state, SocketProbe::kListening) << "the live socket is untouched";

  std::string file = dir.Write("plain", "x");
  s = ClearStaleSocket(file);
  EXPECT_NE(s.message().find("exists and is not a socket"), std::string::npos) << s.message();
  EXPECT_TRUE(std::filesystem::exists(file));
}

TEST(SocketFileTest, OwnedSocketFileRemovesItsOwnFile) {
  TempDir dir;
  std::string path = (dir.path() / "s.sock").string();
  UnixSocket sock(path, true);
  {
    OwnedSocketFile owned(path);
    OwnedSocketFile moved = std::move(owned);  // only one of them removes it
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(SocketFileTest, OwnedSocketFileLeavesAFileAnotherProcessCreatedSince) {
  TempDir dir;
  std::string path = (dir.path() / "s.sock").string();
  UnixSocket first(path, true);
  auto owned = std::make_unique<OwnedSocketFile>(path);
  // Someone else took the path over: removed our file and bound their own.
  ASSERT_EQ(unlink(path.c_str()), 0);
  UnixSocket second(path, true);
  ino_t theirs = Inode(path);
  owned.reset();
  ASSERT_TRUE(std::filesystem::exists(path)) << "the other socket was removed";
  EXPECT_EQ(Inode(path), theirs);
  EXPECT_EQ(ProbeSocket(path).state, SocketProbe::kListening);
}

TEST(SocketFileTest, OwnedSocketFileOfNothingRemovesNothing) {
  TempDir dir;
  std::string path = (dir.path() / "s.sock").string();
  auto owned = std::make_unique<OwnedSocketFile>(path);  // no file yet: nothing is ours
  UnixSocket later(path, true);
  owned.reset();
  EXPECT_TRUE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace brandmon
