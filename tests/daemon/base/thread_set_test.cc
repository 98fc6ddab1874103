#include "daemon/base/thread_set.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <string>
#include <vector>

namespace brandmon {
namespace {

std::string CurrentThreadName() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return name;
}

TEST(ThreadSetTest, EachThreadRunsUnderItsNameCutToTheKernelLimit) {
  ThreadSet threads;
  std::string seen_short, seen_long;
  threads.Start("publish", [&] { seen_short = CurrentThreadName(); });
  threads.Start("a-name-longer-than-fifteen", [&] { seen_long = CurrentThreadName(); });
  threads.JoinAll();
  EXPECT_EQ(seen_short, "publish");
  EXPECT_EQ(seen_long, "a-name-longer-t");
}

TEST(ThreadSetTest, RunningListsTheThreadsInStartOrderUntilJoinAllEndsThem) {
  ThreadSet threads;
  std::atomic<bool> stop_first{false}, stop_second{false};
  std::vector<std::string> ended;
  Mutex mu;
  auto worker = [&](std::atomic<bool>& stop, const char* name) {
    return [&stop, &ended, &mu, name] {
      while (!stop) std::this_thread::yield();
      MutexLock lock(mu);
      ended.push_back(name);
    };
  };
  threads.Start("first", worker(stop_first, "first"));
  threads.Start("second", worker(stop_second, "second"));
  EXPECT_EQ(threads.Running(), (std::vector<std::string>{"first", "second"}));
  stop_first = true;
  stop_second = true;
  threads.JoinAll();
  EXPECT_TRUE(threads.Running().empty());
  EXPECT_EQ(ended.size(), 2u);
}

TEST(ThreadSetTest, AThreadJoinedByItsOwnerLeavesTheSetAndASecondJoinDoesNothing) {
  ThreadSet threads;
  std::atomic<bool> stop{false};
  ThreadSet::Id a = threads.Start("a", [&] {
    while (!stop) std::this_thread::yield();
  });
  ThreadSet::Id b = threads.Start("b", [] {});
  stop = true;
  threads.Join(a);
  EXPECT_EQ(threads.Running(), (std::vector<std::string>{"b"}));
  threads.Join(a);
  threads.Join(0);
  threads.Join(b);
  EXPECT_TRUE(threads.Running().empty());
}

TEST(ThreadSetTest, TheDestructorJoinsWhatIsLeft) {
  std::atomic<int> ran{0};
  {
    ThreadSet threads;
    for (int i = 0; i < 4; ++i) threads.Start("worker", [&] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 4);
}

}  // namespace
}  // namespace brandmon
