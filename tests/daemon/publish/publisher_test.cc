#include "daemon/publish/publisher.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <fstream>
#include <zmq.hpp>

#include "daemon/publish/curve_keys.h"
#include "daemon/publish/messages.h"
#include "tests/daemon/publish/publish_fixture.h"
#include "tests/daemon/publish/schema_check.h"

namespace brandmon::publish {
namespace {

using testing::AlertSchema;
using testing::PublishFixture;

constexpr Duration kWait = std::chrono::seconds(10);

// The next message that is not a heartbeat, or nullopt after kWait.
std::optional<Message> NextNonHeartbeat(Subscriber& sub) {
  for (;;) {
    auto m = sub.Receive(kWait);
    if (!m.ok() || !*m) return std::nullopt;
    if ((*m)->topic != kHeartbeatTopic) return **m;
  }
}

// Waits up to `attempts` × 10 ms (10 s by default) until `pred` holds for the
// publisher's counters.
template <typename Pred>
bool WaitFor(const Publisher& p, Pred pred, int attempts = 1000) {
  for (int i = 0; i < attempts; ++i) {
    if (pred(p.counters())) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred(p.counters());
}

// Collects a whole catch-up (following incomplete replies).
std::vector<Message> CatchUpAll(Subscriber& sub, uint64_t since, const std::string& prefix,
                                CatchupEnd* last_end = nullptr) {
  std::vector<Message> out;
  for (int round = 0; round < 1000; ++round) {
    auto end = sub.CatchUp(
        {since, prefix, 0}, [&](Message&& m) { out.push_back(std::move(m)); }, kWait);
    EXPECT_TRUE(end.ok()) << end.status().ToString();
    if (!end.ok()) break;
    if (last_end) *last_end = *end;
    since = end->upto;
    if (end->complete) break;
  }
  return out;
}

TEST(PublisherTest, DeliversJournaledAlertsInOrderOnEveryEndpointSchemaValid) {
  PublishFixture f;
  f.StartPublisher(f.Options());
  const auto& eps = f.publisher->endpoints();
  ASSERT_EQ(eps.size(), 2u);
  EXPECT_EQ(eps[0], "ipc://" + (f.dir.path() / "alerts.sock").string());
  EXPECT_TRUE(eps[1].starts_with("tcp://127.0.0.1:")) << eps[1];
  EXPECT_NE(eps[1], "tcp://127.0.0.1:*");
  auto ipc = f.Sync(eps[0], "", {"alert."});
  auto tcp = f.Sync(eps[1], "", {"alert.globex"});
  ASSERT_TRUE(ipc && tcp);
  auto alerts = f.Journal(20);
  for (auto& a : alerts) ASSERT_TRUE(f.publisher->Publish(a));
  uint64_t prev = 0;
  for (const auto& a : alerts) {
    auto m = NextNonHeartbeat(*ipc);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->topic, AlertTopic(a));
    EXPECT_EQ(AlertSchema().Check(m->payload), "") << m->payload;
    auto seq = ParseAlertSeq(m->payload);
    ASSERT_TRUE(seq.ok());
    EXPECT_GT(*seq, prev);
    EXPECT_EQ(*seq, a.seq);
    prev = *seq;
  }
  for (const auto& a : alerts) {
    if (a.brand != "globex") continue;
    auto m = NextNonHeartbeat(*tcp);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->topic, AlertTopic(a));
    EXPECT_EQ(*ParseAlertSeq(m->payload), a.seq);
  }
  EXPECT_TRUE(WaitFor(*f.publisher, [](const PublisherCounters& c) { return c.published == 20; }));
}

TEST(PublisherTest, MentionsGoOutOnTheirBrandTopic) {
  PublishFixture f;
  f.StartPublisher(f.Options());
  auto sub = f.Sync(f.publisher->endpoints()[0], "", {"mention.acme"});
  ASSERT_TRUE(sub);
  ScoredMention m = testing::ScenarioAlert(2).mentions[0];
  ASSERT_TRUE(f.publisher->PublishMention(m));
  auto got = NextNonHeartbeat(*sub);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->topic, "mention.acme");
  EXPECT_EQ(AlertSchema().Check(got->payload, "mention_message"), "") << got->payload;
  EXPECT_NE(got->payload.find("ça ne marche pas"), std::string::npos);
}

TEST(PublisherTest, HeartbeatCarriesTheLastSeqWhenIdle) {
  PublishFixture f;
  f.Journal(3);
  f.StartPublisher(f.Options());
  auto sub = f.Sync(f.publisher->endpoints()[0], "", {});
  ASSERT_TRUE(sub);
  auto next_heartbeat = [&]() -> std::optional<Heartbeat> {
    f.clock.Advance(std::chrono::seconds(5));
    for (;;) {
      auto m = sub->Receive(kWait);
      if (!m.ok() || !*m) return std::nullopt;
      if ((*m)->topic != kHeartbeatTopic) continue;
      EXPECT_EQ(AlertSchema().Check((*m)->payload, "heartbeat"), "") << (*m)->payload;
      auto hb = ParseHeartbeat((*m)->payload);
      if (hb.ok() && hb->last_seq == 3) return *hb;
      if (hb.ok() && hb->last_seq > 3) return *hb;
    }
  };
  auto hb = next_heartbeat();
  ASSERT_TRUE(hb);
  EXPECT_EQ(hb->last_seq, 3u);
  EXPECT_EQ(hb->interval_ms, 5000);
  // A newer alert that was handed over but dropped still shows in the next heartbeat.
  auto alerts = f.Journal(1);
  ASSERT_TRUE(f.publisher->Publish(alerts[0]));
  std::optional<Heartbeat> later;
  for (int i = 0; i < 50 && (!later || later->last_seq < 4); ++i) later = next_heartbeat();
  ASSERT_TRUE(later);
  EXPECT_EQ(later->last_seq, 4u);
}

TEST(PublisherTest, QueueFullHandOversAreRefusedAndCountedNotBlocked) {
  PublishFixture f;
  PublishOptions o = f.Options();
  o.queue_capacity = 100;
  f.publisher = std::make_unique<Publisher>(o, f.dir.path().string(), f.Opener(), f.clock, f.threads);
  auto alerts = f.Journal(150);
  int accepted = 0;
  for (auto& a : alerts) accepted += f.publisher->Publish(a);
  EXPECT_EQ(accepted, 100);
  EXPECT_EQ(f.publisher->counters().dropped_queue_full, 50u);
  // Not started: what was handed over waits, and shows as the queue's depth.
  EXPECT_EQ(f.publisher->counters().queued_messages, 100u);
  EXPECT_EQ(f.publisher->counters().backlog_messages, 0u);
}

// 100,000 alerts journaled in a file store and handed over while a subscriber
// reads nothing: every hand-over is accepted at once (the pipeline never
// waits), the messages the stalled subscriber cannot take are dropped and
// counted, and catch-up returns the whole journal in order.
TEST(PublisherTest, SlowSubscriberUnderLoadCostsDropsNotThroughput) {
  constexpr int kAlerts = 100000;
  PublishFixture f;
  PublishOptions o = f.Options();
  o.sndhwm = 100;
  o.backlog = 1000;
  o.queue_capacity = kAlerts;
  f.StartPublisher(o);
  // A raw subscriber with a tiny receive buffer that stops reading after the
  // first heartbeat.
  zmq::context_t ctx;
  zmq::socket_t slow(ctx, zmq::socket_type::sub);
  slow.set(zmq::sockopt::rcvhwm, 10);
  slow.set(zmq::sockopt::linger, 0);
  slow.set(zmq::sockopt::subscribe, "");
  slow.connect(f.publisher->endpoints()[0]);
  for (int i = 0; i < 100; ++i) {
    f.clock.Advance(std::chrono::seconds(5));
    zmq::pollitem_t item{slow.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) > 0) break;
  }
  auto alerts = f.Journal(kAlerts);
  ASSERT_EQ(alerts.size(), static_cast<size_t>(kAlerts));
  int accepted = 0;
  for (auto& a : alerts) accepted += f.publisher->Publish(std::move(a));
  EXPECT_EQ(accepted, kAlerts);
  EXPECT_TRUE(WaitFor(*f.publisher, [](const PublisherCounters& c) { return c.dropped_slow_subscriber > 0; }));
  // While the subscriber reads nothing, the messages it holds back fill the
  // backlog to its bound, and the hand-over queue drains.
  EXPECT_TRUE(WaitFor(*f.publisher,
                      [](const PublisherCounters& c) { return c.backlog_messages == 1000 && c.queued_messages == 0; }))
      << f.publisher->counters().backlog_messages << " " << f.publisher->counters().queued_messages;

  auto catcher = Subscriber::Connect(f.publisher->endpoints()[1], f.publisher->catchup_endpoints()[1], {}, {});
  ASSERT_TRUE(catcher.ok());
  CatchupEnd end;
  auto entries = CatchUpAll(**catcher, 0, "alert.", &end);
  ASSERT_EQ(entries.size(), static_cast<size_t>(kAlerts));
  for (size_t i = 0; i < entries.size(); ++i) {
    ASSERT_EQ(*ParseAlertSeq(entries[i].payload), i + 1) << i;
    ASSERT_EQ(AlertSchema().Check(entries[i].payload), "") << i;
  }
  EXPECT_EQ(end.upto, static_cast<uint64_t>(kAlerts));

  f.publisher->Stop();
  PublisherCounters c = f.publisher->counters();
  EXPECT_EQ(c.dropped_queue_full, 0u);
  EXPECT_EQ(c.backlog_messages, 0u);
  EXPECT_GT(c.dropped_slow_subscriber, 0u);
  EXPECT_EQ(c.published + c.dropped_slow_subscriber, static_cast<uint64_t>(kAlerts));
  EXPECT_GE(c.catchup_entries, static_cast<uint64_t>(kAlerts));
  // What the slow subscriber did get is in order.
  uint64_t prev = 0;
  for (;;) {
    zmq::message_t topic, body;
    if (!slow.recv(topic, zmq::recv_flags::dontwait)) break;
    (void)slow.recv(body, zmq::recv_flags::none);
    if (topic.to_string_view() == kHeartbeatTopic) continue;
    uint64_t seq = *ParseAlertSeq(body.to_string_view());
    EXPECT_GT(seq, prev);
    prev = seq;
  }
}

TEST(PublisherTest, CatchupFiltersBySinceAndTopicAndPages) {
  PublishFixture f;
  auto alerts = f.Journal(12);
  f.StartPublisher(f.Options());
  auto sub = Subscriber::Connect(f.publisher->endpoints()[0], f.publisher->catchup_endpoints()[0], {}, {});
  ASSERT_TRUE(sub.ok());
  auto globex = CatchUpAll(**sub, 4, "alert.globex");
  std::vector<uint64_t> seqs;
  for (const auto& m : globex) seqs.push_back(*ParseAlertSeq(m.payload));
  EXPECT_EQ(seqs, (std::vector<uint64_t>{6, 8, 10, 12}));  // globex alerts are the odd-numbered, seq = i + 1
  std::vector<Message> page;
  auto end = (*sub)->CatchUp(
      {0, "alert.", 5}, [&](Message&& m) { page.push_back(m); }, kWait);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(page.size(), 5u);
  EXPECT_FALSE(end->complete);
  EXPECT_EQ(end->upto, 5u);
  EXPECT_EQ(end->last_seq, 12u);
  EXPECT_EQ(AlertSchema().Check(CatchupEndJson(*end), "catchup_end"), "");
  auto rest = CatchUpAll(**sub, end->upto, "alert.");
  EXPECT_EQ(rest.size(), 7u);
  auto none = CatchUpAll(**sub, 12, "");
  EXPECT_TRUE(none.empty());
}

// Catch-up serves the journal up to the last alert handed to the publisher,
// the seq its heartbeats announce: a client that caught up while an alert was
// committed and not yet handed over is never ahead of the next heartbeat
// (which it would read as a replaced journal).
TEST(PublisherTest, CatchupServesUpToTheLastAlertHandedOver) {
  PublishFixture f;
  f.Journal(2);
  f.StartPublisher(f.Options());
  auto committed = f.Journal(1);  // seq 3: committed, not handed over yet
  auto sub = Subscriber::Connect(f.publisher->endpoints()[0], f.publisher->catchup_endpoints()[0], {}, {});
  ASSERT_TRUE(sub.ok());
  CatchupEnd end;
  EXPECT_EQ(CatchUpAll(**sub, 0, "alert.", &end).size(), 2u);
  EXPECT_EQ(end.upto, 2u);
  EXPECT_EQ(end.last_seq, 2u);
  ASSERT_TRUE(f.publisher->Publish(committed[0]));
  auto rest = CatchUpAll(**sub, 2, "alert.", &end);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(*ParseAlertSeq(rest[0].payload), 3u);
  EXPECT_EQ(end.last_seq, 3u);
}

// Sends raw frames to the catch-up ROUTER and returns [topic, payload] of
// the reply, or an empty vector when none comes within `wait`.
std::vector<std::string> RawRequest(const std::string& endpoint, const std::vector<std::string>& frames,
                                    Duration wait = kWait) {
  zmq::context_t ctx;
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect(endpoint);
  for (size_t i = 0; i < frames.size(); ++i) {
    dealer.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
  zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, std::chrono::milliseconds(wait.count()));
  std::vector<std::string> out;
  if (!(item.revents & ZMQ_POLLIN)) return out;
  zmq::message_t m;
  do {
    (void)dealer.recv(m, zmq::recv_flags::none);
    out.push_back(m.to_string());
  } while (m.more());
  return out;
}

TEST(PublisherTest, MalformedCatchupRequestsGetAnErrorNeverACrash) {
  PublishFixture f;
  f.Journal(3);
  PublishOptions o = f.Options();
  o.catchup_max_request = 4096;
  f.StartPublisher(o);
  const std::string ep = f.publisher->catchup_endpoints()[1];
  struct Case {
    std::vector<std::string> frames;
    std::string expected;
  };
  const Case cases[] = {
      {{std::string("\x00\xff\xfegarbage", 10)}, "not a JSON object"},
      {{"[]"}, "not a JSON object"},
      {{R"({"since":"1"})"}, "\"since\" must be"},
      {{R"({"since":1,"topic":["alert."]})"}, "\"topic\" must be a string"},
      {{R"({"since":1,"limit":-3})"}, "\"limit\" must be"},
      {{R"({"v":9,"since":1})"}, "\"v\" must be 1"},
      {{R"({"since":0})", R"({"since":0})"}, "expected one JSON frame"},
      {{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}, "expected one JSON frame"},
      {{std::string(5000, ' ')}, "exceeds catchup_max_request"},
      // 2^63 and 2^64 - 1 would wrap to a negative seq and answer the whole journal.
      {{R"({"since":9223372036854775808})"}, "\"since\" must be an integer from 0 to 9223372036854775807"},
      {{R"({"since":18446744073709551615})"}, "\"since\" must be an integer from 0 to"},
      {{R"({"since":1,"limit":9223372036854775808})"}, "\"limit\" must be an integer from 0 to"},
      {{R"({"since":1,"tpoic":"alert.acme"})"}, "unknown field \"tpoic\""},
      {{R"({"since":1,"since":9223372036854775808})"}, "field \"since\" appears twice"},
      {{R"({"since":1,"topic":"alert.\u001b[2J"})"}, "\"topic\" must be UTF-8 text without control characters"},
  };
  for (const auto& c : cases) {
    auto reply = RawRequest(ep, c.frames);
    ASSERT_EQ(reply.size(), 2u) << c.expected;
    EXPECT_EQ(reply[0], kCatchupErrorTopic);
    EXPECT_EQ(AlertSchema().Check(reply[1], "catchup_error"), "");
    EXPECT_NE(ParseCatchupError(reply[1]).find(c.expected), std::string::npos) << reply[1];
  }
  // A frame far beyond the limit is refused by libzmq without an answer.
  EXPECT_TRUE(RawRequest(ep, {std::string(1 << 20, '{')}, Duration(300)).empty());
  // The service still answers, including REQ-style requests with a delimiter.
  auto ok = RawRequest(ep, {"", R"({"since":1})"});
  ASSERT_GE(ok.size(), 3u);
  EXPECT_EQ(ok[0], "");
  EXPECT_TRUE(ok[1].starts_with("alert.")) << ok[1];
  EXPECT_EQ(*ParseAlertSeq(ok[2]), 2u);
  EXPECT_GE(f.publisher->counters().catchup_errors, 15u);
  EXPECT_EQ(f.publisher->counters().catchup_entries, 2u);  // only the good request was answered
}

// A catch-up client that asks for the whole journal and never reads: the
// daemon holds at most catchup_max_queued bytes for it, and once it has taken
// nothing for catchup_stall_timeout it is disconnected and the bytes freed.
class StalledCatchupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    f_.Journal(3000);  // about 1.5 MB: more than the socket buffers absorb
    PublishOptions o = f_.Options();
    o.catchup_max_queued = 64 * 1024;
    o.catchup_max_sessions = 2;
    o.catchup_stall_timeout = std::chrono::seconds(10);
    f_.StartPublisher(o);
    endpoint_ = f_.publisher->catchup_endpoints()[0];
  }

  // Connects a client that sends one request and never reads.
  void AddStalledClient() {
    clients_.emplace_back(ctx_, zmq::socket_type::dealer);
    zmq::socket_t& c = clients_.back();
    c.set(zmq::sockopt::linger, 0);
    c.set(zmq::sockopt::rcvhwm, 1);
    c.set(zmq::sockopt::rcvbuf, 4096);
    c.connect(endpoint_);
    c.send(zmq::str_buffer(R"({"since":0})"), zmq::send_flags::none);
  }

  // Waits until every session has filled its allowance and stopped.
  bool WaitUntilStalled(uint64_t sessions) {
    const uint64_t limit = 64 * 1024;
    return WaitFor(*f_.publisher, [&](const PublisherCounters& c) {
      return c.catchup_sessions == sessions && c.catchup_queued_bytes >= sessions * (limit - 2048);
    });
  }

  // Lets time pass until the daemon has disconnected `sessions` stalled
  // clients. libzmq may still move a few bytes into the client's socket
  // buffers after the allowance is reached, and each move is progress that
  // restarts the stall timeout, so one jump of the clock past the timeout is
  // not enough: the clock keeps moving until the daemon has seen a whole
  // timeout without progress.
  bool AdvanceUntilDropped(uint64_t sessions) {
    return WaitFor(*f_.publisher, [&](const PublisherCounters& c) {
      if (c.catchup_dropped >= sessions) return true;
      f_.clock.Advance(std::chrono::milliseconds(500));
      return false;
    });
  }

  PublishFixture f_;
  std::string endpoint_;
  zmq::context_t ctx_;
  std::deque<zmq::socket_t> clients_;
};

TEST_F(StalledCatchupTest, ANonReadingClientIsBoundedThenDisconnectedAndItsBytesFreed) {
  AddStalledClient();
  ASSERT_TRUE(WaitUntilStalled(1));
  PublisherCounters c = f_.publisher->counters();
  // One message may go past the limit: the check is made before each send.
  EXPECT_LE(c.catchup_queued_bytes, 64u * 1024 + 2048);
  EXPECT_LT(c.catchup_entries, 3000u);
  EXPECT_EQ(c.catchup_dropped, 0u);
  ASSERT_TRUE(AdvanceUntilDropped(1));
  // The bytes are freed by libzmq's I/O thread once it sees the connection
  // shut down; on a loaded machine under ASan that took over 10 s once.
  EXPECT_TRUE(WaitFor(
      *f_.publisher,
      [](const PublisherCounters& c) {
        return c.catchup_dropped == 1 && c.catchup_sessions == 0 && c.catchup_queued_bytes == 0;
      },
      6000))
      << f_.publisher->counters().catchup_queued_bytes;
  // The service still answers a client that reads.
  auto sub = Subscriber::Connect(f_.publisher->endpoints()[0], endpoint_, {}, {});
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(CatchUpAll(**sub, 2990, "").size(), 10u);
}

TEST_F(StalledCatchupTest, TheSessionCapRefusesExtraClientsWithAClearReply) {
  AddStalledClient();
  AddStalledClient();
  ASSERT_TRUE(WaitUntilStalled(2));
  auto reply = RawRequest(endpoint_, {R"({"since":0})"});
  ASSERT_EQ(reply.size(), 2u);
  EXPECT_EQ(reply[0], kCatchupErrorTopic);
  EXPECT_EQ(ParseCatchupError(reply[1]),
            "busy: 2 catch-up replies are in progress (publish.catchup_max_sessions); ask again later");
  EXPECT_EQ(f_.publisher->counters().catchup_refused, 1u);
  ASSERT_TRUE(AdvanceUntilDropped(2));
  ASSERT_TRUE(WaitFor(*f_.publisher, [](const PublisherCounters& c) { return c.catchup_sessions == 0; }));
  EXPECT_EQ(f_.publisher->counters().catchup_dropped, 2u);
  reply = RawRequest(endpoint_, {R"({"since":2999})"});
  ASSERT_EQ(reply.size(), 2u);
  EXPECT_EQ(*ParseAlertSeq(reply[1]), 3000u);
}

TEST(PublisherTest, IpcSocketsAreRestrictedToUserAndGroup) {
  PublishFixture f;
  // A stale socket file from a dead daemon is replaced.
  {
    zmq::context_t ctx;
    zmq::socket_t stale(ctx, zmq::socket_type::pub);
    stale.set(zmq::sockopt::linger, 0);
    stale.bind("ipc://" + (f.dir.path() / "alerts.sock").string());
  }
  f.StartPublisher(f.Options());
  for (const char* name : {"alerts.sock", "catchup.sock"}) {
    struct stat st {};
    ASSERT_EQ(stat((f.dir.path() / name).c_str(), &st), 0) << name;
    EXPECT_TRUE(S_ISSOCK(st.st_mode)) << name;
    EXPECT_EQ(st.st_mode & 0777, 0660u) << name;
  }
  f.publisher->Stop();
  EXPECT_FALSE(std::filesystem::exists(f.dir.path() / "alerts.sock"));
}

TEST(PublisherTest, AFileInTheWayOfAnIpcSocketIsAnError) {
  PublishFixture f;
  f.dir.Write("alerts.sock", "not a socket");
  Publisher p(f.Options(), f.dir.path().string(), f.Opener(), f.clock, f.threads);
  Status s = p.Start(0);
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_NE(s.message().find("alerts.sock exists and is not a socket"), std::string::npos) << s.message();
}

// IPv6 endpoints pass validation, so they must bind: libzmq needs ZMQ_IPV6.
TEST(PublisherTest, BindsIpv6LoopbackEndpoints) {
  {
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_addr = in6addr_loopback;
    bool usable = fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (fd >= 0) close(fd);
    if (!usable) GTEST_SKIP() << "no IPv6 loopback on this machine";
  }
  PublishFixture f;
  PublishOptions o = f.Options();
  o.endpoints = {"tcp://[::1]:*"};
  o.catchup_endpoints = {"tcp://[::1]:*"};
  ASSERT_TRUE(CheckPublishOptions(o).empty());
  f.Journal(2);
  f.StartPublisher(o);
  EXPECT_TRUE(f.publisher->catchup_endpoints()[0].starts_with("tcp://[::1]:")) << f.publisher->catchup_endpoints()[0];
  auto sub = Subscriber::Connect(f.publisher->endpoints()[0], f.publisher->catchup_endpoints()[0], {}, {});
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(CatchUpAll(**sub, 0, "").size(), 2u);
}

class CurveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = *GenerateCurveKeyPair();
    client_ = *GenerateCurveKeyPair();
    stranger_ = *GenerateCurveKeyPair();
    PublishOptions o = f_.Options();
    o.curve_secret_key = server_.secret_key;
    o.allowed_client_keys = {client_.public_key};
    ASSERT_TRUE(CheckPublishOptions(o).empty());
    f_.StartPublisher(o);
    EXPECT_EQ(f_.publisher->server_public_key(), server_.public_key);
  }
  ClientKeys Keys(const CurveKeyPair& pair) { return {server_.public_key, pair.public_key, pair.secret_key}; }

  PublishFixture f_;
  CurveKeyPair server_, client_, stranger_;
};

TEST_F(CurveTest, AnAllowedKeyReceivesAndCatchesUp) {
  auto sub = f_.Sync(f_.publisher->endpoints()[1], f_.publisher->catchup_endpoints()[1], {"alert."}, Keys(client_));
  ASSERT_TRUE(sub);
  auto alerts = f_.Journal(2);
  for (auto& a : alerts) ASSERT_TRUE(f_.publisher->Publish(a));
  auto m = NextNonHeartbeat(*sub);
  ASSERT_TRUE(m);
  EXPECT_EQ(*ParseAlertSeq(m->payload), 1u);
  std::vector<Message> got;
  auto end = sub->CatchUp(
      {0, "", 0}, [&](Message&& e) { got.push_back(e); }, kWait);
  ASSERT_TRUE(end.ok()) << end.status().ToString();
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(f_.publisher->counters().zap_denied, 0u);
}

TEST_F(CurveTest, AWrongKeyIsRejectedLoggedAndCounted) {
  auto sub = Subscriber::Connect(f_.publisher->endpoints()[1], "", {""}, Keys(stranger_));
  ASSERT_TRUE(sub.ok());
  EXPECT_TRUE(WaitFor(*f_.publisher, [](const PublisherCounters& c) { return c.zap_denied > 0; }));
  EXPECT_TRUE(WaitFor(*f_.publisher, [](const PublisherCounters& c) { return c.handshakes_rejected > 0; }));
  f_.clock.Advance(std::chrono::seconds(5));
  auto m = (*sub)->Receive(Duration(300));
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(*m);
}

TEST_F(CurveTest, TheTcpCatchupPortRejectsClientsWithoutAnAllowedKey) {
  // Committed and handed over, as brandmond does with every alert.
  for (auto& a : f_.Journal(3)) ASSERT_TRUE(f_.publisher->Publish(a));
  for (const ClientKeys& keys : {ClientKeys{}, Keys(stranger_)}) {
    auto sub = Subscriber::Connect(f_.publisher->endpoints()[1], f_.publisher->catchup_endpoints()[1], {}, keys);
    ASSERT_TRUE(sub.ok());
    size_t got = 0;
    auto end = (*sub)->CatchUp(
        {0, "", 0}, [&](Message&&) { ++got; }, Duration(300));
    EXPECT_EQ(end.status().code(), Status::Code::kUnavailable) << end.status().ToString();
    EXPECT_EQ(got, 0u);
  }
  EXPECT_TRUE(WaitFor(*f_.publisher, [](const PublisherCounters& c) { return c.zap_denied > 0; }));
  EXPECT_GT(f_.publisher->counters().handshakes_rejected, 0u);
  EXPECT_EQ(f_.publisher->counters().catchup_requests, 0u);  // no request got through
  // With the key, and on ipc (file permissions) without one, the journal is served.
  auto keyed =
      Subscriber::Connect(f_.publisher->endpoints()[1], f_.publisher->catchup_endpoints()[1], {}, Keys(client_));
  ASSERT_TRUE(keyed.ok());
  EXPECT_EQ(CatchUpAll(**keyed, 0, "").size(), 3u);
  auto local = Subscriber::Connect(f_.publisher->endpoints()[0], f_.publisher->catchup_endpoints()[0], {}, {});
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(CatchUpAll(**local, 0, "").size(), 3u);
}

TEST_F(CurveTest, NoKeyIsRejectedOnTcpButIpcStaysOpenToLocalUsers) {
  auto plain = Subscriber::Connect(f_.publisher->endpoints()[1], "", {""}, {});
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(WaitFor(*f_.publisher, [](const PublisherCounters& c) { return c.handshakes_rejected > 0; }));
  f_.clock.Advance(std::chrono::seconds(5));
  auto m = (*plain)->Receive(Duration(300));
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(*m);
  auto local = f_.Sync(f_.publisher->endpoints()[0], "", {});
  EXPECT_TRUE(local);
}

}  // namespace
}  // namespace brandmon::publish
