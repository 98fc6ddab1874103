#pragma once

// Watching the processes a test's program starts: shell snippets that start
// a process in a session of its own, and checks that it is gone.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "tests/support/test_util.h"

namespace brandmon::plugin {

// True once `pid` is gone (not even a zombie), waiting up to 5s.
inline bool Gone(pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    if (text.empty() || text.find(") Z ") != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// A shell snippet that starts, in the background, a process in a session of
// its own (out of the program's process group) which writes its pid to
// `pidfile` and sleeps.
inline std::string StartSetsid(const std::string& pidfile, const std::string& redirect = "") {
  return "setsid sh -c 'echo $$ > " + pidfile + "; exec sleep 1000' " + redirect + " & ";
}

// A shell snippet that waits until `pidfile` is written.
inline std::string AwaitFile(const std::string& pidfile) {
  return "while [ ! -s " + pidfile + " ]; do sleep 0.01; done; ";
}

// StartSetsid() and AwaitFile().
inline std::string SetsidGrandchild(const std::string& pidfile, const std::string& redirect = "") {
  return StartSetsid(pidfile, redirect) + AwaitFile(pidfile);
}

// The pid in `pidfile` once it is written (5s at most), else -1.
inline pid_t WaitForPid(const std::string& pidfile) {
  for (int i = 0; i < 500; ++i) {
    std::string text = testing::ReadFile(pidfile);
    if (!text.empty() && text.back() == '\n') return std::stoi(text);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

// Fails the test if `pid` outlives its run, and kills it then so that a
// failing test leaves nothing behind.
inline void ExpectGone(pid_t pid, const std::string& what) {
  ASSERT_GT(pid, 0) << what << ": no pid written";
  EXPECT_TRUE(Gone(pid)) << what << ": pid " << pid << " still runs";
  kill(pid, SIGKILL);
}

}  // namespace brandmon::plugin
