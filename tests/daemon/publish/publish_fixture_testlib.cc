#include "tests/daemon/publish/publish_fixture.h"

#include <gtest/gtest.h>

#include "daemon/publish/messages.h"

namespace brandmon::testing {

Alert ScenarioAlert(int i) {
  Alert a;
  a.ts = FromUnixMillis(1767225600000 + i * 1000LL);
  a.brand = i % 2 == 0 ? "acme" : "globex";
  a.rule = i % 3 == 0 ? "volume_spike" : "negative_mention";
  a.severity = static_cast<Severity>(i % 3);
  a.summary = a.brand + " alert " + std::to_string(i);
  a.dedupe_key = "scenario-" + std::to_string(i);
  ScoredMention m;
  m.brand = a.brand;
  m.mention.source = "rss1";
  m.mention.channel = "rss";
  m.mention.id = "item-" + std::to_string(i);
  m.mention.text = "mention " + std::to_string(i) + " of " + a.brand + ": ça ne marche pas";
  m.mention.author = "user" + std::to_string(i % 7);
  m.sentiment.compound = -0.5;
  m.sentiment.label = "negative";
  a.mentions.push_back(m);
  a.figures = {{"reach", static_cast<double>(i)}};
  return a;
}

PublishFixture::PublishFixture() {
  store::StoreOptions so;
  config::ApplyDefaults(store::StoreOptionTable(), so);
  so.file = (dir.path() / "brandmon.db").string();
  auto opened = store::Store::Open(so, "", clock, threads);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (opened.ok()) store = std::move(*opened);
}

PublishFixture::~PublishFixture() {
  if (publisher) publisher->Stop();
}

std::vector<Alert> PublishFixture::Journal(int n) {
  std::vector<Alert> out;
  while (n > 0) {
    store::WriteBatch batch;
    int k = std::min(n, 1000);
    for (int i = 0; i < k; ++i) batch.AddAlert(ScenarioAlert(journaled++));
    auto written = store->Write(batch);
    EXPECT_TRUE(written.ok()) << written.status().ToString();
    if (!written.ok()) break;
    for (auto& a : written->alerts) out.push_back(std::move(a));
    n -= k;
  }
  return out;
}

publish::PublishOptions PublishFixture::Options() const {
  publish::PublishOptions o = publish::DefaultPublishOptions();
  o.endpoints = {"ipc://alerts.sock", "tcp://127.0.0.1:*"};
  o.catchup_endpoints = {"ipc://catchup.sock", "tcp://127.0.0.1:*"};
  o.heartbeat_interval = std::chrono::seconds(5);
  return o;
}

publish::JournalOpener PublishFixture::Opener() {
  std::string file = (dir.path() / "brandmon.db").string();
  const Clock* c = &clock;
  ThreadSet* t = &threads;
  return [file, c, t]() {
    store::StoreOptions so;
    config::ApplyDefaults(store::StoreOptionTable(), so);
    so.file = file;
    return store::Store::Open(so, "", *c, *t);
  };
}

void PublishFixture::StartPublisher(const publish::PublishOptions& options) {
  publisher = std::make_unique<publish::Publisher>(options, dir.path().string(), Opener(), clock, threads);
  auto last = store->LastSeq();
  ASSERT_TRUE(last.ok());
  Status s = publisher->Start(*last);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

std::unique_ptr<publish::Subscriber> PublishFixture::Sync(const std::string& endpoint, const std::string& catchup,
                                                          std::vector<std::string> topics,
                                                          const publish::ClientKeys& keys) {
  topics.push_back(std::string(publish::kHeartbeatTopic));
  auto sub = publish::Subscriber::Connect(endpoint, catchup, topics, keys);
  EXPECT_TRUE(sub.ok()) << sub.status().ToString();
  if (!sub.ok()) return nullptr;
  for (int attempt = 0; attempt < 100; ++attempt) {
    clock.Advance(std::chrono::seconds(5));
    auto m = (*sub)->Receive(Duration(100));
    if (m.ok() && *m && (*m)->topic == publish::kHeartbeatTopic) return std::move(*sub);
  }
  ADD_FAILURE() << "no heartbeat reached the subscriber on " << endpoint;
  return nullptr;
}

}  // namespace brandmon::testing
