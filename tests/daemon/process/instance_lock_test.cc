#include "daemon/process/instance_lock.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::process {
namespace {

using testing::TempDir;

TEST(InstanceLockTest, ASecondHolderIsRefusedWithTheFirstOnesPid) {
  TempDir dir;
  std::string state = dir.path().string();
  auto first = InstanceLock::Acquire(state);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::string lock_file = state + "/brandmond.lock";
  EXPECT_EQ(testing::ReadFile(lock_file), std::to_string(getpid()) + "\n");

  // flock locks belong to the open file, so a second open in this process
  // conflicts just as another process would.
  auto second = InstanceLock::Acquire(state);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(second.status().message(), "state directory " + state + " is in use by another brandmond (pid " +
                                           std::to_string(getpid()) + ", lock file " + lock_file + ")");
  EXPECT_EQ(testing::ReadFile(lock_file), std::to_string(getpid()) + "\n") << "the holder's PID stays";
}

TEST(InstanceLockTest, ReleasedOnDestructionAndAfterAMove) {
  TempDir dir;
  std::string state = dir.path().string();
  {
    auto first = InstanceLock::Acquire(state);
    ASSERT_TRUE(first.ok());
    InstanceLock moved = std::move(first).value();
    EXPECT_FALSE(InstanceLock::Acquire(state).ok()) << "the moved-to lock still holds";
  }
  EXPECT_TRUE(InstanceLock::Acquire(state).ok());
}

TEST(InstanceLockTest, ChildProcessesDoNotKeepTheLock) {
  // An exec source's child (or a grandchild that escaped) outliving the
  // daemon must not keep the next daemon from starting.
  TempDir dir;
  std::string state = dir.path().string();
  std::unique_ptr<testing::Process> child;
  {
    auto lock = InstanceLock::Acquire(state);
    ASSERT_TRUE(lock.ok());
    child = std::make_unique<testing::Process>(std::vector<std::string>{"/bin/sleep", "30"});
  }
  // Until its exec has closed (and the kernel released) the close-on-exec
  // descriptors, the child holds a copy of every one of them: a moment.
  // Without close-on-exec it would hold the lock for its whole 30 s.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto next = InstanceLock::Acquire(state);
  while (!next.ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
    next = InstanceLock::Acquire(state);
  }
  EXPECT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_TRUE(child->running()) << "the child still runs";
}

TEST(InstanceLockTest, AnUnusableStateDirectoryIsNamed) {
  TempDir dir;
  std::string missing = (dir.path() / "absent").string();
  auto lock = InstanceLock::Acquire(missing);
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().message().rfind("cannot open the lock file " + missing + "/brandmond.lock: ", 0), 0u)
      << lock.status().message();
}

}  // namespace
}  // namespace brandmon::process
