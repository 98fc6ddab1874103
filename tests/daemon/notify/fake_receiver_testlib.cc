#include "tests/daemon/notify/fake_receiver.h"

#include <map>

namespace brandmon::notify::testing {

void FakeTarget::Script(std::vector<Outcome> outcomes) {
  std::lock_guard lock(mu_);
  script_.assign(outcomes.begin(), outcomes.end());
}

void FakeTarget::SetDown(bool down) {
  std::lock_guard lock(mu_);
  down_ = down;
}

std::vector<Delivery> FakeTarget::Accepted() const {
  std::lock_guard lock(mu_);
  return accepted_;
}

size_t FakeTarget::attempts() const {
  std::lock_guard lock(mu_);
  return attempts_;
}

std::vector<uint64_t> FakeTarget::AcceptedSeqs() const {
  std::vector<uint64_t> seqs;
  for (const auto& d : Accepted()) {
    for (const auto& a : d.alerts) seqs.push_back(a.alert.seq);
  }
  return seqs;
}

bool FakeTarget::WaitForAlerts(size_t n, Duration timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    size_t count = 0;
    for (const auto& d : accepted_) count += d.alerts.size();
    return count >= n;
  });
}

Outcome FakeTarget::Attempt(const Delivery& d) {
  std::lock_guard lock(mu_);
  ++attempts_;
  if (down_) return Outcome::Retry("down");
  Outcome o = Outcome::Delivered(200);
  if (!script_.empty()) {
    o = script_.front();
    script_.pop_front();
  }
  if (o.kind == Outcome::Kind::kDelivered) {
    accepted_.push_back(d);
    cv_.notify_all();
  }
  return o;
}

namespace {

std::mutex targets_mu;
std::map<std::string, std::shared_ptr<FakeTarget>>& Targets() {
  static std::map<std::string, std::shared_ptr<FakeTarget>> targets;
  return targets;
}

struct FakeOptions {
  std::string target;
  std::string token;
};

const config::OptionTable<FakeOptions>& FakeTable() {
  static const config::OptionTable<FakeOptions> table = {
      config::Str<FakeOptions>("target", config::kRequired, &FakeOptions::target, "Name of the fake target."),
      config::Secret<FakeOptions>("token", &FakeOptions::token, "A secret."),
  };
  return table;
}

class FakeReceiver : public Receiver {
 public:
  explicit FakeReceiver(std::shared_ptr<FakeTarget> target) : target_(std::move(target)) {}
  Outcome Deliver(const Delivery& d) override { return target_->Attempt(d); }
  void Stop() override {}

 private:
  std::shared_ptr<FakeTarget> target_;
};

}  // namespace

std::shared_ptr<FakeTarget> Target(const std::string& name) {
  std::lock_guard lock(targets_mu);
  auto& t = Targets()[name];
  if (!t) t = std::make_shared<FakeTarget>();
  return t;
}

void ResetTargets() {
  std::lock_guard lock(targets_mu);
  Targets().clear();
}

ReceiverKind FakeKind() {
  ReceiverKind kind;
  kind.name = "fake";
  kind.description = "Records deliveries in memory (tests).";
  kind.options = config::Infos(FakeTable());
  kind.configure = [](const config::ConfigValue& obj, const std::string& path, config::ApplyContext& ctx) {
    FakeOptions opts;
    config::ApplyOptions(FakeTable(), obj, path, ctx, opts);
    ConfiguredReceiver c;
    c.make = [opts]() -> std::unique_ptr<Receiver> { return std::make_unique<FakeReceiver>(Target(opts.target)); };
    c.dump_members = [opts](config::JsonWriter& w, const config::Redactor* r) {
      config::DumpMembers(FakeTable(), opts, w, r);
    };
    return c;
  };
  return kind;
}

const std::vector<ReceiverKind>& FakeKinds() {
  static const std::vector<ReceiverKind> kinds = {FakeKind()};
  return kinds;
}

}  // namespace brandmon::notify::testing
