#include "plugins/exec/child_process.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "tests/plugins/exec/process_watch.h"
#include "tests/support/test_util.h"

namespace brandmon::plugin {
namespace {

TEST(ChildProcessTest, DestructorKillsAndReaps) {
  pid_t pid;
  {
    auto child = ChildProcess::Spawn({"sleep", "30"}, {"PATH=/usr/bin:/bin"});
    ASSERT_TRUE(child.ok());
    pid = child->pid();
  }
  EXPECT_TRUE(Gone(pid));
}

TEST(ChildProcessTest, ProcessesOfARunDieWithTheDaemon) {
  testing::TempDir dir;
  std::string pidfile = (dir.path() / "pid").string();
  pid_t daemon = fork();
  ASSERT_GE(daemon, 0);
  if (daemon == 0) {
    // Stands for a daemon killed with SIGKILL: it exits without destructors.
    auto child = ChildProcess::Spawn({"/bin/sh", "-c", SetsidGrandchild(pidfile, ">/dev/null 2>&1") + "sleep 30"},
                                     {"PATH=/usr/bin:/bin"});
    _exit(child.ok() && WaitForPid(pidfile) > 0 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(daemon, &status, 0), daemon);
  ASSERT_EQ(status, 0);
  ExpectGone(WaitForPid(pidfile), "setsid grandchild of a dead daemon");
}

}  // namespace
}  // namespace brandmon::plugin
