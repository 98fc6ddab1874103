#include "daemon/notify/stream_reader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <zmq.hpp>

#include "daemon/publish/messages.h"
#include "tests/support/test_util.h"

namespace brandmon::notify {
namespace {

using std::chrono::milliseconds;

// A brandmond made of raw sockets, so that it can send what no real one
// would: a PUB socket and a catch-up ROUTER whose answer the test sets.
class FakeDaemon {
 public:
  FakeDaemon() {
    pub_.set(zmq::sockopt::linger, 0);
    pub_.bind(Endpoint("alerts"));
    router_.set(zmq::sockopt::linger, 0);
    router_.bind(Endpoint("catchup"));
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeDaemon() {
    stop_ = true;
    thread_.join();
  }
  std::string Endpoint(const std::string& name) const { return "ipc://" + dir_.path().string() + "/" + name + ".sock"; }
  // Every catch-up request gets these frames (each a message of its own
  // frames) after the client's identity.
  void Answer(std::vector<std::vector<std::string>> messages) {
    std::lock_guard lock(mu_);
    answer_ = std::move(messages);
  }
  void Publish(const std::string& topic, const std::string& payload) {
    pub_.send(zmq::buffer(topic), zmq::send_flags::sndmore);
    pub_.send(zmq::buffer(payload), zmq::send_flags::none);
  }
  int requests() const { return requests_; }

 private:
  void Serve() {
    while (!stop_) {
      zmq::pollitem_t item{router_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, milliseconds(20));
      if (!(item.revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> frames;
      do {
        frames.emplace_back();
        (void)router_.recv(frames.back(), zmq::recv_flags::none);
      } while (frames.back().more());
      ++requests_;
      std::lock_guard lock(mu_);
      for (const auto& msg : answer_) {
        router_.send(zmq::buffer(frames[0].to_string()), zmq::send_flags::sndmore);
        for (size_t i = 0; i < msg.size(); ++i) {
          router_.send(zmq::buffer(msg[i]), i + 1 < msg.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
        }
      }
    }
  }

  brandmon::testing::TempDir dir_;
  zmq::context_t context_{1};
  zmq::socket_t pub_{context_, zmq::socket_type::pub};
  zmq::socket_t router_{context_, zmq::socket_type::router};
  std::mutex mu_;
  std::vector<std::vector<std::string>> answer_;
  std::atomic<int> requests_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string AlertJson(uint64_t seq, const std::string& text = "hello") {
  Alert a;
  a.seq = seq;
  a.ts = FromUnixMillis(1767225600000);
  a.brand = "acme";
  a.rule = "negative_mention";
  a.summary = "s";
  ScoredMention m;
  m.mention.text = text;
  a.mentions.push_back(m);
  return AlertToJson(a);
}

std::string End(uint64_t upto, uint64_t last_seq) { return publish::CatchupEndJson({upto, 0, true, last_seq}); }

class StreamReaderTest : public ::testing::Test {
 protected:
  void Start(std::optional<uint64_t> cursor) {
    reader_ = std::make_unique<StreamReader>(Endpoints{daemon_.Endpoint("alerts"), daemon_.Endpoint("catchup")},
                                             publish::ClientKeys{}, milliseconds(300), window_, cursor);
    thread_ = std::thread([this] { reader_->Run(); });
  }
  void TearDown() override {
    if (reader_) reader_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  // Publishes (again and again: the subscription takes a moment to be in
  // place) until `done` holds.
  bool PublishUntil(const std::string& topic, const std::string& payload, const std::function<bool()>& done) {
    for (int i = 0; i < 200; ++i) {
      daemon_.Publish(topic, payload);
      std::this_thread::sleep_for(milliseconds(20));
      if (done()) return true;
    }
    return false;
  }

  FakeDaemon daemon_;
  AlertWindow window_{1000, 64 << 20};
  std::unique_ptr<StreamReader> reader_;
  std::thread thread_;
};

TEST_F(StreamReaderTest, AHeartbeatWithAHugeLastSeqMovesNoCursor) {
  daemon_.Answer({{"catchup.end", End(0, 0)}});
  Start(0);
  std::string hb = R"({"v":1,"ts":"2026-01-01T00:00:00Z","last_seq":18446744073709551615,"interval_ms":1000})";
  ASSERT_TRUE(PublishUntil("heartbeat", hb, [&] { return daemon_.requests() >= 2; }));
  EXPECT_EQ(reader_->stats().cursor, 0u);
  EXPECT_EQ(window_.last_seq(), 0u);
  ASSERT_TRUE(PublishUntil("alert.acme.negative_mention", AlertJson(1), [&] { return window_.last_seq() == 1; }));
  EXPECT_EQ(reader_->stats().alerts, 1u);
}

TEST_F(StreamReaderTest, AGarbageCatchupReplyIsCountedAndSurvived) {
  daemon_.Answer({{AlertJson(1)}, {"catchup.end", "{not json"}, {"\xff\xfe", "\x01"}});
  Start(0);
  for (int i = 0; i < 100 && reader_->stats().catchup_errors == 0; ++i) std::this_thread::sleep_for(milliseconds(20));
  EXPECT_GT(reader_->stats().catchup_errors, 0u);
  EXPECT_FALSE(reader_->stats().last_error.empty());
  // Alerts that parse still get through.
  daemon_.Answer({{"alert.acme.negative_mention", AlertJson(1)}, {"catchup.end", End(1, 1)}});
  ASSERT_TRUE(PublishUntil("alert.acme.negative_mention", AlertJson(1), [&] { return window_.last_seq() == 1; }));
}

TEST_F(StreamReaderTest, GapsAreFilledFromCatchupAndGarbageAlertsSkipped) {
  daemon_.Answer({{"catchup.end", End(0, 0)}});
  Start(0);
  ASSERT_TRUE(PublishUntil("alert.acme.x", "{\"v\":1,\"seq\":\"one\"}", [&] { return reader_->stats().corrupt > 0; }));
  daemon_.Answer({{"alert.acme.negative_mention", AlertJson(1)},
                  {"alert.acme.negative_mention", "{\"seq\":2,\"v\":1,\"garbage\":"},
                  {"catchup.end", End(3, 3)}});
  ASSERT_TRUE(PublishUntil("alert.acme.negative_mention", AlertJson(4), [&] { return window_.last_seq() == 4; }));
  auto slice = window_.After(0, 10);
  std::vector<uint64_t> seqs;
  for (const auto& a : slice.alerts) seqs.push_back(a->alert.seq);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 4}));
  EXPECT_GE(reader_->stats().corrupt, 2u);
}

TEST_F(StreamReaderTest, AMegabyteAlertOfMarkupArrivesWhole) {
  daemon_.Answer({{"catchup.end", End(0, 0)}});
  Start(0);
  std::string text;
  while (text.size() < (1 << 20)) text += "<!channel> <https://evil.example|click> *bold* &lt;script&gt; ";
  ASSERT_TRUE(PublishUntil("alert.acme.negative_mention", AlertJson(1, text), [&] { return window_.last_seq() == 1; }));
  auto slice = window_.After(0, 1);
  ASSERT_EQ(slice.alerts.size(), 1u);
  EXPECT_EQ(slice.alerts[0]->alert.mentions[0].mention.text, text);
}

TEST_F(StreamReaderTest, AJournalThatStartsOverResetsTheWindow) {
  daemon_.Answer({{"alert.acme.negative_mention", AlertJson(5)}, {"catchup.end", End(5, 5)}});
  Start(4);
  for (int i = 0; i < 100 && window_.last_seq() < 5; ++i) std::this_thread::sleep_for(milliseconds(20));
  ASSERT_EQ(window_.last_seq(), 5u);
  uint64_t generation = window_.generation();
  daemon_.Answer({{"alert.acme.negative_mention", AlertJson(1)}, {"catchup.end", End(1, 1)}});
  std::string hb = R"({"v":1,"ts":"2026-01-01T00:00:00Z","last_seq":1,"interval_ms":1000})";
  ASSERT_TRUE(PublishUntil("heartbeat", hb, [&] { return window_.generation() != generation; }));
  for (int i = 0; i < 100 && window_.last_seq() != 1; ++i) std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(window_.last_seq(), 1u);
  EXPECT_EQ(reader_->stats().resets, 1u);
}

}  // namespace
}  // namespace brandmon::notify
