#pragma once

#include <memory>
#include <string>
#include <vector>

#include "daemon/base/alert.h"
#include "daemon/base/clock.h"
#include "daemon/base/thread_set.h"
#include "daemon/publish/publisher.h"
#include "daemon/publish/subscriber.h"
#include "daemon/store/store.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {

// Alert number `i` of a scripted scenario: brands alternate acme/globex,
// severities cycle, each with one mention.
Alert ScenarioAlert(int i);

// A journal in a temp-file store plus a publisher on ipc endpoints in a temp
// runtime directory and tcp endpoints on ephemeral loopback ports.
class PublishFixture {
 public:
  PublishFixture();
  ~PublishFixture();

  // Journals `n` scenario alerts (numbered from the current count) in batches
  // and returns them with their seq.
  std::vector<Alert> Journal(int n);

  // Options with test endpoints; heartbeats only when the fake clock moves.
  publish::PublishOptions Options() const;
  publish::JournalOpener Opener();

  // Creates and starts the publisher with `options`.
  void StartPublisher(const publish::PublishOptions& options);

  // Connects a subscriber to `endpoint` and returns it once a heartbeat came
  // through, so that its subscriptions are known to be in place.
  std::unique_ptr<publish::Subscriber> Sync(const std::string& endpoint, const std::string& catchup,
                                            std::vector<std::string> topics, const publish::ClientKeys& keys = {});

  FakeClock clock;
  TempDir dir;
  ThreadSet threads;  // the publisher's and the stores'
  std::unique_ptr<store::Store> store;
  std::unique_ptr<publish::Publisher> publisher;
  int journaled = 0;
};

}  // namespace brandmon::testing
