// docs/examples/subscriber.py against an in-process Publisher.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <sstream>
#include <thread>

#include "daemon/publish/messages.h"
#include "tests/daemon/publish/publish_fixture.h"
#include "tests/daemon/publish/schema_check.h"

namespace brandmon::publish {
namespace {

using testing::PublishFixture;

// The first python3 that has pyzmq: a python3 earlier on PATH (a virtualenv,
// pyenv) may lack Debian's python3-zmq.
std::string PythonWithZmq() {
  for (std::string py : {"python3", "/usr/bin/python3"}) {
    if (std::system((py + " -c 'import zmq' >/dev/null 2>&1").c_str()) == 0) return py;
  }
  return "";
}

TEST(PythonExampleTest, ReceivesEveryAlertInOrderThroughGapsAndSchemaValid) {
  std::string python = PythonWithZmq();
  if (python.empty()) GTEST_SKIP() << "python3-zmq is not installed";
  PublishFixture f;
  f.Journal(3);
  PublishOptions o = f.Options();
  f.StartPublisher(o);
  std::string cmd = python + " " BRANDMON_SOURCE_DIR "/docs/examples/subscriber.py --endpoint '" +
                    f.publisher->endpoints()[1] + "' --catchup-endpoint '" + f.publisher->catchup_endpoints()[1] +
                    "' --since 0 --count 8 --timeout 60";
  std::string out;
  std::atomic<bool> done{false};
  int rc = -1;
  std::thread reader([&] {
    FILE* p = popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    rc = pclose(p);
    done = true;
  });
  bool published = false;
  for (int step = 0; !done && step < 3000; ++step) {
    if (!published && f.publisher->counters().catchup_entries >= 3) {
      published = true;
      for (auto& a : f.Journal(5)) {
        if (a.seq != 6 && a.seq != 7) {
          EXPECT_TRUE(f.publisher->Publish(a));
        }
      }
    }
    f.clock.Advance(std::chrono::seconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  reader.join();
  EXPECT_EQ(rc, 0) << out;
  std::vector<uint64_t> seqs;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    EXPECT_EQ(testing::AlertSchema().Check(line), "") << line;
    seqs.push_back(*ParseAlertSeq(line));
  }
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8})) << out;
}

}  // namespace
}  // namespace brandmon::publish
