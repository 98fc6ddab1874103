// What brandmonctl says when it cannot talk to the daemon: no socket, a
// socket nobody listens on, permission denied, no answer in time. Each case
// names the path and what to do, and none guesses "is brandmond running?".

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "tests/integration/notify_listener.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

using std::chrono::seconds;

// A Unix stream socket bound at `path` that never accepts (listening) or
// was never listened on and closed (stale).
class RawSocket {
 public:
  RawSocket(const std::string& path, bool listening) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
    if (listening) {
      EXPECT_EQ(listen(fd_, 8), 0);
    } else {
      close(fd_);
      fd_ = -1;
    }
  }
  ~RawSocket() {
    if (fd_ >= 0) close(fd_);
  }

 private:
  int fd_ = -1;
};

class ControlClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    run_ = (dir_.path() / "run").string();
    std::filesystem::create_directories(run_);
    socket_ = run_ + "/control.sock";
    config_ = dir_.Write("c.json", R"({"daemon": {"state_dir": ")" + (dir_.path() / "state").string() +
                                       R"(", "runtime_dir": ")" + run_ + R"("},
      "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"]}})");
  }

  // Runs `brandmonctl ARGS` (through `prefix`, e.g. setpriv) and returns its
  // exit code; `out` gets stdout and stderr.
  int Ctl(const std::vector<std::string>& args, std::string* out, const std::vector<std::string>& prefix = {},
          const std::string& binary = BinaryPath("brandmonctl")) {
    std::vector<std::string> argv = prefix;
    argv.push_back(binary);
    argv.insert(argv.end(), args.begin(), args.end());
    std::string err;
    int rc = RunCommand(argv, out, &err, {}, seconds(60));
    *out += err;
    return rc;
  }

  void ExpectNoGuess(const std::string& out) { EXPECT_EQ(out.find("is brandmond running?"), std::string::npos) << out; }

  TempDir dir_;
  std::string run_, socket_, config_;
};

TEST_F(ControlClientTest, NoSocketNamesThePathAndTheLikelyCauses) {
  std::string out;
  EXPECT_EQ(Ctl({"status", "--config", config_}, &out), 1);
  EXPECT_NE(out.find("brandmonctl status: no control socket at " + socket_ +
                     ": brandmond is not running, or it runs with another runtime directory"),
            std::string::npos)
      << out;
  ExpectNoGuess(out);
}

TEST_F(ControlClientTest, ASocketNobodyListensOnIsCalledStale) {
  RawSocket stale(socket_, false);
  std::string out;
  EXPECT_EQ(Ctl({"reload", "--config", config_}, &out), 1);
  EXPECT_NE(out.find("nothing listens on the control socket " + socket_ + ": brandmond is not running"),
            std::string::npos)
      << out;
  ExpectNoGuess(out);
}

TEST_F(ControlClientTest, ADaemonThatDoesNotAnswerIsCalledBusyOrStuck) {
  RawSocket silent(socket_, true);
  std::string out;
  EXPECT_EQ(Ctl({"status", "--config", config_, "--timeout", "300ms"}, &out), 1);
  EXPECT_NE(out.find("brandmond at " + socket_ + " did not answer within 300ms: it is running but busy or stuck"),
            std::string::npos)
      << out;
  ExpectNoGuess(out);
  EXPECT_EQ(Ctl({"status", "--config", config_, "--timeout", "soon"}, &out), 2);
  EXPECT_NE(out.find("--timeout expects a duration like \"5s\", got \"soon\""), std::string::npos) << out;
}

TEST_F(ControlClientTest, PermissionDeniedNamesTheSocketAndWhoMayUseIt) {
  NotifyListener listener((dir_.path() / "notify.sock").string());
  Process daemon({BinaryPath("brandmond"), "--config", config_}, {{"NOTIFY_SOCKET", listener.path()}});
  ASSERT_FALSE(listener.WaitFor("READY=1", seconds(20)).empty()) << daemon.Stderr();
  std::string out;
  ASSERT_EQ(Ctl({"status", "--config", config_}, &out), 0) << out;

  // The directories are open to all; the socket (0660) only to its owner and group.
  std::filesystem::permissions(dir_.path(), std::filesystem::perms(0755));
  std::filesystem::permissions(run_, std::filesystem::perms(0755));
  struct stat st {};
  ASSERT_EQ(stat(socket_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  std::vector<std::string> prefix;
  std::string binary = BinaryPath("brandmonctl");
  if (geteuid() == 0) {
    // root passes every permission check: ask as nobody, with a copy of the
    // program in a place nobody can reach.
    if (!std::filesystem::exists("/usr/bin/setpriv")) GTEST_SKIP() << "setpriv (util-linux) not installed";
    binary = (dir_.path() / "brandmonctl").string();
    std::filesystem::copy_file(BinaryPath("brandmonctl"), binary);
    prefix = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  } else {
    std::filesystem::permissions(socket_, std::filesystem::perms::none);
  }
  EXPECT_EQ(Ctl({"status", "--endpoint", "ipc://" + socket_}, &out, prefix, binary), 1);
  EXPECT_NE(out.find("permission denied on the control socket " + socket_ + ": " + socket_ + " is user "),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("run brandmonctl as that user, as a member of that group, or as root"), std::string::npos) << out;
  ExpectNoGuess(out);
  EXPECT_TRUE(daemon.running());
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(seconds(20)), 0);
}

}  // namespace
}  // namespace brandmon::testing
