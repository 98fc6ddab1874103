#pragma once

// A receiver kind for tests ("fake"): each receiver records what it is sent
// in the FakeTarget named by its "target" option and answers what the
// target's script says.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/notify/receiver.h"

namespace brandmon::notify::testing {

// What a fake receiver delivers to. Thread-safe.
class FakeTarget {
 public:
  // The next attempts get these outcomes, in order; after them, Delivered.
  void Script(std::vector<Outcome> outcomes);
  // While down, every attempt gets Retry("down").
  void SetDown(bool down);
  // Every delivery accepted so far, in order.
  std::vector<Delivery> Accepted() const;
  size_t attempts() const;
  // The seqs of every accepted alert, in order of acceptance.
  std::vector<uint64_t> AcceptedSeqs() const;
  // Waits up to `timeout` until at least `n` alerts were accepted.
  bool WaitForAlerts(size_t n, Duration timeout) const;

  Outcome Attempt(const Delivery& d);

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::deque<Outcome> script_;
  bool down_ = false;
  size_t attempts_ = 0;
  std::vector<Delivery> accepted_;
};

// The target named `name`, created on first use; lives until the test ends.
std::shared_ptr<FakeTarget> Target(const std::string& name);
// Forgets every target (call from a test's SetUp).
void ResetTargets();

// The "fake" kind: options "target" (required) and "token" (a secret).
ReceiverKind FakeKind();
// {FakeKind()}.
const std::vector<ReceiverKind>& FakeKinds();

}  // namespace brandmon::notify::testing
