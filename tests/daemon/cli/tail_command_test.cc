// `brandmonctl tail` (daemon/cli/tail_command.cc) against an in-process Publisher.

#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <thread>

#include "daemon/cli/command.h"
#include "daemon/publish/messages.h"
#include "tests/daemon/publish/publish_fixture.h"
#include "tests/daemon/publish/schema_check.h"

namespace brandmon::publish {
namespace {

using testing::AlertSchema;
using testing::PublishFixture;

// Runs brandmonctl with `args` on its own thread while `drive` keeps the
// fake clock moving (so heartbeats flow) until the command returns.
struct CtlRun {
  int rc = -1;
  std::string out, err;
};

CtlRun RunWhileDriving(PublishFixture& f, std::vector<std::string> args, const std::function<void(int step)>& drive) {
  CtlRun r;
  std::ostringstream out, err;
  std::istringstream in;
  std::atomic<bool> done{false};
  std::thread t([&] {
    r.rc = cli::RunCtl(args, in, out, err);
    done = true;
  });
  for (int step = 0; !done && step < 3000; ++step) {
    drive(step);
    f.clock.Advance(std::chrono::seconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  t.join();
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::vector<uint64_t> Seqs(const std::string& json_lines) {
  std::vector<uint64_t> out;
  std::istringstream in(json_lines);
  for (std::string line; std::getline(in, line);) {
    EXPECT_EQ(AlertSchema().Check(line), "") << line;
    auto seq = ParseAlertSeq(line);
    EXPECT_TRUE(seq.ok()) << line;
    if (seq.ok()) out.push_back(*seq);
  }
  return out;
}

std::vector<uint64_t> Range(uint64_t from, uint64_t to) {
  std::vector<uint64_t> v;
  for (uint64_t i = from; i <= to; ++i) v.push_back(i);
  return v;
}

PublishOptions IpcOnly(const PublishFixture& f) {
  PublishOptions o = f.Options();
  o.endpoints = {"ipc://alerts.sock"};
  o.catchup_endpoints = {"ipc://catchup.sock"};
  return o;
}

std::vector<std::string> TailArgs(const PublishFixture& f, std::vector<std::string> extra) {
  std::vector<std::string> args = {"tail",
                                   "--endpoint",
                                   "ipc://" + (f.dir.path() / "alerts.sock").string(),
                                   "--catchup-endpoint",
                                   "ipc://" + (f.dir.path() / "catchup.sock").string(),
                                   "--timeout",
                                   "60s"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// Catch-up from --since, then live alerts with a hole (alerts handed to
// nobody): the hole is filled from the journal and every alert shows once, in order.
TEST(TailCommandTest, CatchesUpThenFillsGapsInOrder) {
  PublishFixture f;
  f.Journal(3);
  f.StartPublisher(IpcOnly(f));
  bool published = false;
  auto r = RunWhileDriving(f, TailArgs(f, {"--since", "0", "--count", "8", "--json"}), [&](int) {
    if (published || f.publisher->counters().catchup_entries < 3) return;
    published = true;
    auto more = f.Journal(5);  // seqs 4..8; 6 and 7 never reach the publisher
    for (auto& a : more) {
      if (a.seq != 6 && a.seq != 7) {
        EXPECT_TRUE(f.publisher->Publish(a));
      }
    }
  });
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Seqs(r.out), Range(1, 8)) << r.out;
}

TEST(TailCommandTest, FiltersByTopicPrefix) {
  PublishFixture f;
  f.Journal(10);
  f.StartPublisher(IpcOnly(f));
  auto r = RunWhileDriving(f, TailArgs(f, {"--since", "2", "--topic", "alert.globex", "--count", "4", "--json"}),
                           [](int) {});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Seqs(r.out), (std::vector<uint64_t>{4, 6, 8, 10}));
}

TEST(TailCommandTest, SurvivesADaemonRestart) {
  PublishFixture f;
  f.StartPublisher(IpcOnly(f));
  bool restarted = false;
  auto r = RunWhileDriving(f, TailArgs(f, {"--count", "4", "--json"}), [&](int step) {
    // Give the tail a few heartbeats to settle its cursor, then publish two
    // alerts, restart, and journal two more while it is reconnecting.
    if (step != 20 || restarted) return;
    restarted = true;
    for (auto& a : f.Journal(2)) EXPECT_TRUE(f.publisher->Publish(a));
    f.publisher->Stop();
    f.publisher.reset();
    f.Journal(2);
    f.StartPublisher(IpcOnly(f));
  });
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Seqs(r.out), Range(1, 4)) << r.out;
}

TEST(TailCommandTest, ReadableOutputShowsSeverityAlertAndMention) {
  PublishFixture f;
  f.Journal(3);
  f.StartPublisher(IpcOnly(f));
  auto r = RunWhileDriving(f, TailArgs(f, {"--since", "0", "--count", "3"}), [](int) {});
  EXPECT_EQ(r.rc, 0) << r.err;
  // Alert 0: acme, volume_spike, info; 1: globex, negative_mention, warning; 2: acme, critical.
  EXPECT_NE(r.out.find("INFO     acme/volume_spike #1  acme alert 0\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("WARNING  globex/negative_mention #2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CRITICAL acme/negative_mention #3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    user1: mention 1 of globex: ça ne marche pas\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\033["), std::string::npos) << "no colours off a terminal";
}

TEST(TailCommandTest, TimesOutForScriptsWhenTheCountIsNotReached) {
  PublishFixture f;
  f.StartPublisher(IpcOnly(f));
  std::ostringstream out, err;
  std::istringstream in;
  auto args = TailArgs(f, {"--count", "1"});
  args[6] = "200ms";
  EXPECT_EQ(cli::RunCtl(args, in, out, err), 1);
  EXPECT_NE(err.str().find("timed out with 0 of 1"), std::string::npos) << err.str();
}

// A config naming the runtime directory and both kinds of endpoints, for
// tail --config.
std::string EndpointConfig(PublishFixture& f, const std::string& runtime_dir, const std::string& pub_tcp,
                           const std::string& catchup_tcp) {
  f.dir.Write("tail.json", R"({"daemon": {"runtime_dir": ")" + runtime_dir + R"("},
    "publish": {"endpoints": [")" +
                               pub_tcp + R"(", "ipc://alerts.sock"],
                "catchup_endpoints": [")" +
                               catchup_tcp + R"(", "ipc://catchup.sock"]}})");
  return (f.dir.path() / "tail.json").string();
}

// The ipc endpoints are used when their sockets exist, though tcp ones come
// first: here nothing listens on the tcp ports.
TEST(TailCommandTest, PrefersTheIpcEndpointsWhenTheirSocketsExist) {
  PublishFixture f;
  f.Journal(3);
  f.StartPublisher(IpcOnly(f));
  std::string config = EndpointConfig(f, f.dir.path().string(), "tcp://127.0.0.1:1", "tcp://127.0.0.1:2");
  auto r = RunWhileDriving(
      f, {"tail", "--config", config, "--since", "0", "--count", "3", "--json", "--timeout", "60s"}, [](int) {});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Seqs(r.out), Range(1, 3));
}

// Without the ipc sockets (another user's runtime directory), tail uses tcp.
TEST(TailCommandTest, FallsBackToTcpWhenTheIpcSocketsAreMissing) {
  PublishFixture f;
  f.Journal(3);
  PublishOptions o = f.Options();
  o.endpoints = {"tcp://127.0.0.1:*"};
  o.catchup_endpoints = {"tcp://127.0.0.1:*"};
  f.StartPublisher(o);
  std::string config = EndpointConfig(f, (f.dir.path() / "elsewhere").string(), f.publisher->endpoints()[0],
                                      f.publisher->catchup_endpoints()[0]);
  auto r = RunWhileDriving(
      f, {"tail", "--config", config, "--since", "0", "--count", "3", "--json", "--timeout", "60s"}, [](int) {});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Seqs(r.out), Range(1, 3));
}

TEST(TailCommandTest, RejectsBadArguments) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"tail", "--since", "abc"},
        {"tail", "--count", "0"},
        {"tail", "--timeout", "soon"},
        {"tail", "--bogus", "1"},
        {"tail", "--since"},
        {"tail", "--endpoint", "ipc:///x", "--catchup-endpoint", "ipc:///y", "--curve-key", "/nonexistent.key"}}) {
    std::ostringstream out, err;
    std::istringstream in;
    EXPECT_EQ(cli::RunCtl(args, in, out, err), 2) << args[1];
    EXPECT_NE(err.str().find("brandmonctl tail: "), std::string::npos);
  }
}

}  // namespace
}  // namespace brandmon::publish
