// A scripted day of a real brandmond: a local HTTP server plays an RSS news
// feed, an Atom blog, a paginated JSON API (social) and later an RSS forum; an
// exec exporter prints reviews. Through normal chatter, a complaint, a
// question, a negative storm and its all-clear, a SIGHUP that adds a brand and
// a source, and a restart, a ZeroMQ subscriber must receive exactly the
// expected alerts, in order, with their figures, each once, with seq going on
// across the restart. Content and config are in fixtures/e2e_day/.
//
// Spike buckets are 2s wide (fixtures/e2e_day/brandmon.json). The steps are
// placed on bucket boundaries by the wall clock, and the storm is designed so
// that its figures do not depend on how many quiet buckets precede it: its
// baseline is at least three empty buckets out of four. The one timing
// assumption: the poll that closes the storm's bucket is processed within two
// buckets (4s) of its start, so the spike alerts come before the all-clears.

#include <signal.h>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "daemon/control/control_client.h"
#include "daemon/publish/subscriber.h"
#include "tests/daemon/fetch/http_test_server.h"
#include "tests/integration/notify_listener.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int64_t kBucketMs = 2000;  // rules.*_spike.bucket in the fixture config
constexpr double kThreshold = -0.5;  // rules.negative_mention.threshold (default)
constexpr double kPraise = 0.6;      // rules.praise.threshold (default)

int64_t UnixMillis() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
int64_t BucketNow() { return UnixMillis() / kBucketMs; }

// Waits for the wall clock to reach `bucket` (plus a little, so the step is
// clearly inside it). The rules bucket by the wall clock, so time itself is
// the event waited for here.
void WaitForBucket(int64_t bucket) {
  int64_t at = bucket * kBucketMs + 100;
  int64_t now = UnixMillis();
  if (now < at) std::this_thread::sleep_for(milliseconds(at - now));
}

// P(X >= k) for X ~ Poisson(lambda), summed directly.
double PoissonUpper(int k, double lambda) {
  double sum = 0;
  for (int i = k; i < k + 200; ++i) sum += std::exp(i * std::log(lambda) - lambda - std::lgamma(i + 1.0));
  return std::min(1.0, sum);
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string Rfc3339(int64_t unix_ms) {
  std::time_t t = unix_ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// One item a channel publishes (fixtures/e2e_day/day.json).
struct Item {
  std::string id, author, title, text;
  double followers = -1;  // social
  double rating = -1;     // reviews
  int64_t published_ms = 0;
};

// The channels the HTTP server plays: what each shows, rendered per request.
class Channels {
 public:
  explicit Channels(HttpTestServer& http) {
    auto& s = http.server();
    s.Get("/news/rss.xml", [this](const httplib::Request&, httplib::Response& res) { Rss("news", res); });
    s.Get("/forum/rss.xml", [this](const httplib::Request&, httplib::Response& res) { Rss("forum", res); });
    s.Get("/blog/atom.xml", [this](const httplib::Request&, httplib::Response& res) { Atom(res); });
    s.Get("/api/search", [this](const httplib::Request& req, httplib::Response& res) { Search(req, res); });
  }

  void Add(const std::string& channel, Item item) {
    std::lock_guard<std::mutex> lock(mu_);
    items_[channel].push_back(std::move(item));
  }

  // Requests to the JSON API so far, and those that asked for a later page.
  int api_requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return api_requests_;
  }
  int api_cursor_requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return api_cursor_requests_;
  }

 private:
  static constexpr size_t kPageSize = 4;

  void Rss(const std::string& channel, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>"
        "<title>" +
        channel + "</title><link>http://" + channel +
        ".example/</link>"
        "<description>fixture</description>\n";
    for (const Item& it : items_[channel]) {
      std::time_t t = it.published_ms / 1000;
      std::tm tm{};
      gmtime_r(&t, &tm);
      char date[64];
      std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
      body += "<item><guid isPermaLink=\"false\">" + it.id + "</guid><title>" + XmlEscape(it.title) +
              "</title><link>http://" + channel + ".example/" + it.id + "</link><description>" + XmlEscape(it.text) +
              "</description><dc:creator>" + XmlEscape(it.author) + "</dc:creator><pubDate>" + date +
              "</pubDate></item>\n";
    }
    body += "</channel></rss>\n";
    res.set_content(body, "application/rss+xml; charset=utf-8");
  }

  void Atom(httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>blog</title>"
        "<id>urn:fixture:blog</id><updated>2026-01-01T00:00:00Z</updated>\n";
    for (const Item& it : items_["blog"]) {
      body += "<entry><id>" + it.id + "</id><title>" + XmlEscape(it.title) +
              "</title><link href=\"http://blog.example/" + it.id + "\"/><updated>" + Rfc3339(it.published_ms) +
              "</updated><author><name>" + XmlEscape(it.author) + "</name></author><content type=\"text\">" +
              XmlEscape(it.text) + "</content></entry>\n";
    }
    body += "</feed>\n";
    res.set_content(body, "application/atom+xml; charset=utf-8");
  }

  // Oldest first, kPageSize per page; "next" is the offset of the next page.
  void Search(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    ++api_requests_;
    size_t offset = 0;
    if (req.has_param("cursor")) {
      ++api_cursor_requests_;
      offset = std::stoul(req.get_param_value("cursor"));
    }
    if (req.get_param_value("q") != "acme") {
      res.status = 400;
      return;
    }
    const auto& all = items_["social"];
    std::string body = "{\"data\": [";
    for (size_t i = offset; i < std::min(all.size(), offset + kPageSize); ++i) {
      const Item& it = all[i];
      body += std::string(i == offset ? "" : ",") + "{\"id\": " + JsonString(it.id) +
              ", \"text\": " + JsonString(it.text) + ", \"created_at\": " + JsonString(Rfc3339(it.published_ms)) +
              ", \"user\": {\"handle\": " + JsonString(it.author) +
              ", \"followers\": " + std::to_string(static_cast<int64_t>(it.followers)) + "}}";
    }
    body += "]";
    if (offset + kPageSize < all.size()) body += ", \"next\": \"" + std::to_string(offset + kPageSize) + "\"";
    body += "}";
    res.set_content(body, "application/json");
  }

  mutable std::mutex mu_;
  std::map<std::string, std::vector<Item>> items_;
  int api_requests_ = 0;
  int api_cursor_requests_ = 0;
};

// An alert as the subscriber received it.
struct Got {
  uint64_t seq = 0;
  std::string topic, rule, brand, severity, channel, dedupe_key, summary;
  std::vector<std::string> mention_ids;
  std::vector<double> mention_scores;  // effective sentiment (target, else compound)
  std::vector<std::string> terms;
  std::map<std::string, double> figures;
};

std::optional<Got> ParseAlert(const std::string& topic, const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("seq")) return std::nullopt;
  Got g;
  g.topic = topic;
  g.seq = d["seq"].GetUint64();
  auto str = [&](const char* k) { return d.HasMember(k) && d[k].IsString() ? std::string(d[k].GetString()) : ""; };
  g.rule = str("rule");
  g.brand = str("brand");
  g.severity = str("severity");
  g.channel = str("channel");
  g.dedupe_key = str("dedupe_key");
  g.summary = str("summary");
  for (const auto& m : d["mentions"].GetArray()) {
    g.mention_ids.push_back(m["id"].GetString());
    const auto& s = m["sentiment"];
    g.mention_scores.push_back(s.HasMember("target") && s["target"].IsNumber() ? s["target"].GetDouble()
                                                                               : s["compound"].GetDouble());
  }
  if (d.HasMember("terms")) {
    for (const auto& t : d["terms"].GetArray()) g.terms.push_back(t["term"].GetString());
  }
  for (const auto& f : d["figures"].GetObject()) {
    g.figures[f.name.GetString()] = f.value.IsNumber() ? f.value.GetDouble() : NAN;
  }
  return g;
}

// The subscriber loop of docs/alerts.md on its own thread: SUB on alerts and
// heartbeats, catch-up from the cursor on a gap or when a heartbeat says it
// is behind. Keeps every alert once, in seq order.
class AlertCollector {
 public:
  AlertCollector(std::string endpoint, std::string catchup_endpoint)
      : endpoint_(std::move(endpoint)), catchup_endpoint_(std::move(catchup_endpoint)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~AlertCollector() {
    stop_ = true;
    thread_.join();
  }

  // Waits until `n` alerts have arrived; returns false after `timeout`.
  bool WaitFor(size_t n, milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return alerts_.size() >= n; });
  }
  std::vector<Got> alerts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return alerts_;
  }
  std::vector<std::string> errors() const {
    std::lock_guard<std::mutex> lock(mu_);
    return errors_;
  }

 private:
  void Run() {
    auto sub = publish::Subscriber::Connect(endpoint_, catchup_endpoint_, {"alert.", "heartbeat"}, {});
    if (!sub.ok()) {
      Error("connect: " + sub.status().message());
      return;
    }
    while (!stop_) {
      auto msg = (*sub)->Receive(milliseconds(100));
      if (!msg.ok()) {
        Error("receive: " + msg.status().message());
        continue;
      }
      if (!*msg) continue;
      if ((*msg)->topic == "heartbeat") {
        auto hb = publish::ParseHeartbeat((*msg)->payload);
        if (hb.ok() && hb->last_seq > cursor_) CatchUp(**sub);
        if (hb.ok() && hb->last_seq < cursor_) Error("heartbeat last_seq below the cursor: the journal was replaced");
        continue;
      }
      auto alert = ParseAlert((*msg)->topic, (*msg)->payload);
      if (!alert) {
        Error("unparsable alert: " + (*msg)->payload);
        continue;
      }
      if (alert->seq <= cursor_) continue;  // already had it through catch-up
      if (alert->seq > cursor_ + 1) CatchUp(**sub);
      if (alert->seq == cursor_ + 1) Keep(std::move(*alert));
    }
  }

  void CatchUp(publish::Subscriber& sub) {
    auto end = sub.CatchUp(
        {cursor_, "", 0},
        [&](publish::Message&& m) {
          auto alert = ParseAlert(m.topic, m.payload);
          if (alert && alert->seq == cursor_ + 1) Keep(std::move(*alert));
        },
        seconds(5));
    // A failure is not an error here: the daemon may be restarting, and the
    // next heartbeat or gap asks again from the same cursor.
    (void)end;
  }

  void Keep(Got alert) {
    cursor_ = alert.seq;
    std::lock_guard<std::mutex> lock(mu_);
    alerts_.push_back(std::move(alert));
    cv_.notify_all();
  }

  void Error(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    errors_.push_back(what);
  }

  std::string endpoint_, catchup_endpoint_;
  std::atomic<bool> stop_{false};
  uint64_t cursor_ = 0;  // collector thread only
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Got> alerts_;
  std::vector<std::string> errors_;
  std::thread thread_;
};

// What one expected alert must show. Figures listed are compared exactly
// (to 1e-9); `check` adds what cannot be written as a number in advance.
struct Expected {
  std::string rule, brand, severity;
  std::vector<std::string> mention_ids;
  std::map<std::string, double> figures;
  std::vector<std::string> terms;
  std::function<void(const Got&)> check;
};

std::string Describe(const Got& g) {
  std::string s = "#" + std::to_string(g.seq) + " " + g.brand + " " + g.rule + " [" + g.severity + "]";
  for (const auto& id : g.mention_ids) s += " " + id;
  return s + " -- " + g.summary;
}

std::string Describe(const Expected& e) {
  std::string s = e.brand + " " + e.rule + " [" + e.severity + "]";
  for (const auto& id : e.mention_ids) s += " " + id;
  return s;
}

class E2eDayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixtures_ = FixturePath("integration/fixtures/e2e_day");
    work_ = dir_.path().string();
    std::filesystem::create_directories(dir_.path() / "conf.d");
    config_ = dir_.Write("brandmon.json", Instantiate("brandmon.json"));
    rapidjson::Document day;
    std::string text = ReadFile(fixtures_ + "/day.json");
    day.Parse(text.c_str());
    ASSERT_FALSE(day.HasParseError()) << "day.json";
    for (const auto& step : day.GetObject()) {
      if (!step.value.IsObject()) continue;
      for (const auto& channel : step.value.GetObject()) {
        for (const auto& it : channel.value.GetArray()) {
          Item item;
          item.id = it["id"].GetString();
          item.author = it["author"].GetString();
          item.text = it["text"].GetString();
          if (it.HasMember("title")) item.title = it["title"].GetString();
          if (it.HasMember("followers")) item.followers = it["followers"].GetDouble();
          if (it.HasMember("rating")) item.rating = it["rating"].GetDouble();
          day_[step.name.GetString()].emplace_back(channel.name.GetString(), item);
          items_[item.id] = item;
        }
      }
    }
  }

  void TearDown() override {
    if (daemon_ && daemon_->running()) {
      daemon_->Signal(SIGTERM);
      daemon_->Wait(seconds(20));
    }
    if (HasFailure() && daemon_) std::fprintf(stderr, "daemon log:\n%s\n", daemon_->Stderr().c_str());
  }

  std::string Instantiate(const std::string& name) {
    std::string text = ReadFile(fixtures_ + "/" + name);
    text = Replace(text, "@PORT@", std::to_string(http_.port()));
    text = Replace(text, "@WORK@", work_);
    return Replace(text, "@FIXTURES@", fixtures_);
  }

  // Makes every channel of `step` show its items (appended to what it shows).
  void Publish(const std::string& step) {
    ASSERT_TRUE(day_.count(step)) << step;
    for (auto [channel, item] : day_[step]) {
      item.published_ms = UnixMillis();
      if (channel == "reviews") {
        std::string line = "{\"id\": " + JsonString(item.id) + ", \"author\": " + JsonString(item.author) +
                           ", \"title\": " + JsonString(item.title) + ", \"text\": " + JsonString(item.text) +
                           ", \"published\": " + JsonString(Rfc3339(item.published_ms)) +
                           ", \"metrics\": {\"rating\": " + std::to_string(static_cast<int>(item.rating)) + "}}\n";
        std::ofstream(work_ + "/reviews.jsonl", std::ios::app) << line;
      } else {
        channels_.Add(channel, item);
      }
    }
  }

  void StartDaemon() {
    daemon_ = std::make_unique<Process>(std::vector<std::string>{BinaryPath("brandmond"), "--config", config_},
                                        std::map<std::string, std::string>{{"NOTIFY_SOCKET", listener_.path()}});
    ASSERT_FALSE(listener_.WaitFor("READY=1", seconds(30)).empty()) << daemon_->Stderr();
  }

  void StopDaemon() {
    daemon_->Signal(SIGTERM);
    ASSERT_EQ(daemon_->Wait(seconds(30)), 0) << daemon_->Stderr();
  }

  std::string Control(const std::string& request) {
    auto reply = control::CallControl("ipc://" + work_ + "/run/control.sock", request, seconds(20));
    EXPECT_TRUE(reply.ok()) << request << ": " << reply.status().message();
    return reply.ok() ? *reply : "";
  }

  void PollNow(const std::string& source) {
    std::string reply = Control(R"({"cmd":"poll-now","source":")" + source + "\"}");
    ASSERT_NE(reply.find("\"ok\":true"), std::string::npos) << reply;
  }

  // When `source` last polled successfully, as status shows it ("" before).
  std::string LastSuccess(const std::string& source) {
    rapidjson::Document s = Status();
    if (!s.IsObject() || !s.HasMember("sources") || !s["sources"].IsArray()) return "";
    for (const auto& src : s["sources"].GetArray()) {
      if (src.IsObject() && src.HasMember("name") && src["name"].IsString() && src["name"].GetString() == source &&
          src.HasMember("last_success") && src["last_success"].IsString()) {
        return src["last_success"].GetString();
      }
    }
    return "";
  }

  // Polls `source` now and waits until that poll has fetched. Alerts that
  // the rules' own tick raises can arrive before it does, so waiting for them
  // does not say the poll is over. REQUIRES: no poll of `source` is running
  // (its end would pass for this one's).
  void PollNowAndAwait(const std::string& source) {
    std::string before = LastSuccess(source);
    PollNow(source);
    for (int i = 0; i < 600 && LastSuccess(source) == before; ++i) std::this_thread::sleep_for(milliseconds(50));
    ASSERT_NE(LastSuccess(source), before) << source << " was not polled";
  }

  rapidjson::Document Status() {
    rapidjson::Document d;
    d.Parse(Control(R"({"cmd":"status"})").c_str());
    return d;
  }

  // Waits until the status counter `name` of this daemon run reaches `n`,
  // and checks it went no further.
  void AwaitCounter(const char* name, uint64_t n) {
    uint64_t value = 0;
    for (int i = 0; i < 600; ++i) {
      rapidjson::Document s = Status();
      value = s.IsObject() && s.HasMember(name) ? s[name].GetUint64() : 0;
      if (value >= n) break;
      std::this_thread::sleep_for(milliseconds(50));
    }
    ASSERT_EQ(value, n) << name << " of this daemon run";
  }

  // Waits until this daemon run has stored `n` brand mentions. A poll's
  // mentions, rule state and alerts commit together, so this is also the
  // moment its mention alerts are journaled.
  void AwaitStored(uint64_t n) { AwaitCounter("mentions_stored", n); }

  // Waits for the next expected alerts and compares them, in order.
  void ExpectAlerts(const std::vector<Expected>& expected, const std::string& step) {
    size_t want = checked_ + expected.size();
    bool arrived = collector_->WaitFor(want, seconds(30));
    std::vector<Got> got = collector_->alerts();
    std::string listing;
    for (size_t i = checked_; i < got.size(); ++i) listing += "\n  got " + Describe(got[i]);
    for (const auto& e : expected) listing += "\n  expected " + Describe(e);
    ASSERT_TRUE(arrived) << step << ": only " << got.size() - checked_ << " of " << expected.size() << " alerts arrived"
                         << listing;
    for (size_t i = 0; i < expected.size(); ++i) {
      const Got& g = got[checked_ + i];
      const Expected& e = expected[i];
      SCOPED_TRACE(step + ", alert " + std::to_string(i + 1) + ": " + Describe(g));
      EXPECT_EQ(g.seq, checked_ + i + 1) << "seq";
      EXPECT_EQ(g.rule, e.rule);
      EXPECT_EQ(g.brand, e.brand);
      EXPECT_EQ(g.severity, e.severity);
      EXPECT_EQ(g.topic, "alert." + g.brand + "." + g.rule);
      EXPECT_EQ(g.mention_ids, e.mention_ids);
      EXPECT_EQ(g.terms, e.terms);
      for (const auto& [name, value] : e.figures) {
        ASSERT_TRUE(g.figures.count(name)) << "figure " << name;
        // Relative: the p-values of a storm are tiny.
        double tolerance = value == 0 ? 1e-12 : 1e-9 * std::abs(value);
        EXPECT_NEAR(g.figures.at(name), value, tolerance) << "figure " << name;
      }
      if (e.check) e.check(g);
    }
    checked_ = want;
  }

  // The journal holds exactly the alerts checked so far. Alerts commit with
  // the poll's mentions, so after AwaitStored() nothing may be missing; a
  // stray alert from a later tick shows up as a wrong seq at the next check.
  void ExpectJournalAt(const std::string& step) {
    rapidjson::Document s = Status();
    ASSERT_TRUE(s.IsObject() && s.HasMember("last_seq")) << step;
    EXPECT_EQ(s["last_seq"].GetUint64(), checked_) << step << ": the journal's last seq";
  }

  // At the end of the day: nothing beyond what was expected, after two
  // heartbeat intervals in which a stray alert would have arrived.
  void ExpectNoMoreAlerts(const std::string& step) {
    collector_->WaitFor(checked_ + 1, milliseconds(2500));
    std::vector<Got> got = collector_->alerts();
    std::string extra;
    for (size_t i = checked_; i < got.size(); ++i) extra += "\n  " + Describe(got[i]);
    EXPECT_EQ(got.size(), checked_) << step << ": unexpected alerts" << extra;
  }

  // ---- the expected alerts of mention rules, by rule ----
  // Reach is the item's followers (0 for feeds and reviews, which carry
  // none); the metrics an item carries are figures of its alerts too.

  std::map<std::string, double> MentionFigures(const std::string& id) {
    const Item& item = items_.at(id);
    std::map<std::string, double> f = {{"reach", std::max(0.0, item.followers)}};
    if (item.followers >= 0) f["followers"] = item.followers;
    if (item.rating >= 0) f["rating"] = item.rating;
    return f;
  }

  std::string ReachSeverity(const std::string& id) {  // rules.negative_mention.reach_warning: 1000
    return items_.at(id).followers >= 1000 ? "warning" : "info";
  }

  Expected NegativeMention(const std::string& brand, const std::string& id, const std::string& severity) {
    std::map<std::string, double> figures = MentionFigures(id);
    figures["threshold"] = kThreshold;
    return {"negative_mention", brand, severity, {id}, figures, {}, [](const Got& g) {
              ASSERT_TRUE(g.figures.count("score"));
              EXPECT_LE(g.figures.at("score"), kThreshold);
              EXPECT_DOUBLE_EQ(g.figures.at("score"), g.mention_scores.at(0)) << "the score is the mention's";
            }};
  }

  Expected NeedsReply(const std::string& brand, const std::string& id, const std::string& severity, bool question,
                      bool complaint, bool addressed) {
    std::map<std::string, double> figures = MentionFigures(id);
    figures["question"] = question ? 1 : 0;
    figures["complaint"] = complaint ? 1 : 0;
    figures["addressed"] = addressed ? 1 : 0;
    return {"needs_reply", brand, severity, {id}, figures, {}, {}};
  }

  Expected Praise(const std::string& brand, const std::string& id) {
    std::map<std::string, double> figures = MentionFigures(id);
    figures["threshold"] = kPraise;
    return {"praise", brand, "info", {id}, figures, {}, [](const Got& g) {
              EXPECT_GE(g.figures.at("score"), kPraise);
              EXPECT_DOUBLE_EQ(g.figures.at("score"), g.mention_scores.at(0));
            }};
  }

  Expected Keyword(const std::string& brand, const std::string& id, const std::string& term) {
    return {"keyword", brand, "warning", {id}, {{"terms", 1}, {"reach", MentionFigures(id)["reach"]}}, {term}, {}};
  }

  // A storm's first alert against a baseline of (at least three out of four)
  // empty buckets: median 0, sigma at its floor of 1, so z is the count.
  Expected Spike(const std::string& rule, int count, std::vector<std::string> samples, int64_t first_bucket,
                 int64_t last_bucket) {
    return {rule,
            "acme",
            count >= 2 * 3 ? "critical" : "warning",
            std::move(samples),
            {{"count", count},
             {"baseline_median", 0},
             {"baseline_sigma", 1},
             {"z", count},
             {"p_value", PoissonUpper(count, 0.5)},
             {"bucket_seconds", kBucketMs / 1000}},
            {},
            [=](const Got& g) {
              double start = g.figures.at("bucket_start");
              EXPECT_GE(start, first_bucket * kBucketMs / 1000) << "the storm's bucket is the one it was polled in";
              EXPECT_LE(start, last_bucket * kBucketMs / 1000);
            }};
  }

  // The all-clear after clear_after (2) quiet buckets: 3 buckets of storm in
  // all, the storm's count its total and its peak.
  Expected Clear(const std::string& rule, int count, int64_t storm_start_s) {
    return {rule + "_clear",
            "acme",
            "info",
            {},
            {{"count", 0},
             {"baseline_median", 0},
             {"baseline_sigma", 1},
             {"z", 0},
             {"p_value", 1},
             {"bucket_start", static_cast<double>(storm_start_s + 2 * kBucketMs / 1000)},
             {"storm_start", static_cast<double>(storm_start_s)},
             {"storm_buckets", 3},
             {"storm_total", count},
             {"peak", count}},
            {},
            {}};
  }

  TempDir dir_;
  HttpTestServer http_;
  Channels channels_{http_};
  std::string fixtures_, work_, config_;
  std::map<std::string, std::vector<std::pair<std::string, Item>>> day_;
  std::map<std::string, Item> items_;
  NotifyListener listener_{(dir_.path() / "notify.sock").string()};
  std::unique_ptr<Process> daemon_;
  std::unique_ptr<AlertCollector> collector_;
  size_t checked_ = 0;
};

TEST_F(E2eDayTest, EveryAlertOfTheDayOnceInOrderWithItsFigures) {
  collector_ =
      std::make_unique<AlertCollector>("ipc://" + work_ + "/run/alerts.sock", "ipc://" + work_ + "/run/catchup.sock");

  // Morning: chatter on every channel, polled once at start. Nothing to alert:
  // the positive social post has no reach, news-3 names Globex, not yet a
  // brand, and news-4 no brand at all.
  Publish("morning");
  StartDaemon();
  AwaitStored(6);  // news-1, news-2, blog-1, s-1, s-2, rev-1
  ExpectJournalAt("morning");

  // A complaint addressed to @acme: negative and a reply is due.
  Publish("complaint");
  PollNow("social");
  AwaitStored(7);
  ExpectAlerts({NegativeMention("acme", "s-4", "info"), NeedsReply("acme", "s-4", "warning", false, true, true)},
               "complaint");

  // A question to the brand's handle in the news feed (no metrics: reach 0).
  Publish("question");
  PollNow("news");
  AwaitStored(8);
  ExpectAlerts({NeedsReply("acme", "news-5", "info", true, false, true)}, "question");

  // Three quiet buckets, then the storm: 12 posts in one poll of the social
  // API (several pages), 10 of them negative. Each clearly negative post
  // alerts on its own; s-7 has reach, s-10 calls for a recall.
  WaitForBucket(BucketNow() + 4);
  Publish("storm");
  int cursor_requests = channels_.api_cursor_requests();
  int64_t storm_first = BucketNow();
  PollNow("social");
  AwaitStored(20);
  int64_t storm_last = BucketNow();
  EXPECT_GE(channels_.api_cursor_requests() - cursor_requests, 3) << "the storm came over several pages";
  std::vector<Expected> storm;
  for (const char* id : {"s-5", "s-6", "s-7", "s-9", "s-10", "s-11", "s-12", "s-14", "s-15", "s-16"}) {
    storm.push_back(NegativeMention("acme", id, ReachSeverity(id)));
    if (std::string(id) == "s-10") storm.push_back(Keyword("acme", id, "recall"));
  }
  ExpectAlerts(storm, "storm mentions");

  // The storm's bucket closes: the volume and the negative series spike
  // together (the first three posts of the bucket as examples). The poll is
  // awaited so that none of the blog's is running at the next poll-now.
  WaitForBucket(storm_last + 1);
  PollNowAndAwait("blog");
  ExpectAlerts({Spike("volume_spike", 12, {"s-5", "s-6", "s-7"}, storm_first, storm_last),
                Spike("negative_spike", 10, {"s-5", "s-6", "s-7"}, storm_first, storm_last)},
               "storm spikes");
  auto storm_start_s = static_cast<int64_t>(collector_->alerts().back().figures.at("bucket_start"));

  // Two quiet buckets later: all clear, for both series at once.
  WaitForBucket(storm_start_s * 1000 / kBucketMs + 3);
  PollNowAndAwait("blog");  // done before the recovery's blog post is published
  ExpectAlerts({Clear("volume_spike", 12, storm_start_s), Clear("negative_spike", 10, storm_start_s)}, "all clear");

  // Recovery: praise from an account with reach; the rest is quiet.
  Publish("recovery");
  PollNow("social");
  AwaitStored(22);
  ExpectAlerts({Praise("acme", "s-17")}, "recovery praise");
  PollNow("blog");
  AwaitStored(23);
  ExpectJournalAt("recovery");

  // SIGHUP with conf.d/globex.json: the brand globex and the forum. The new
  // source polls at once; Globex items the news feed carried before the
  // reload (news-2, news-3) were seen then and stay unalerted.
  Publish("new_brand");
  dir_.Write("conf.d/globex.json", Instantiate("globex.json"));
  daemon_->Signal(SIGHUP);
  ASSERT_FALSE(listener_.WaitFor("RELOADING=1", seconds(20)).empty());
  ASSERT_FALSE(listener_.WaitFor("READY=1", seconds(20)).empty());
  AwaitStored(25);  // forum-1, forum-2
  ExpectAlerts({NegativeMention("globex", "forum-1", "info")}, "reload: the forum");
  PollNow("news");
  AwaitStored(26);
  ExpectAlerts({NeedsReply("globex", "news-6", "info", true, false, true)}, "reload: news for globex");
  ExpectJournalAt("after the reload");
  uint64_t seq_before_restart = checked_;

  // A restart; while the daemon is down a 1-star review and a social post
  // come in. Every source polls at start: the review alerts, nothing else,
  // and every item seen before is dropped as such: news-1..6, blog-1..2,
  // s-1..18, forum-1..2 and rev-1.
  StopDaemon();
  Publish("while_down");
  StartDaemon();
  AwaitStored(2);  // rev-2, s-19
  AwaitCounter("duplicates_dropped", 6 + 2 + 18 + 2 + 1);
  ExpectAlerts({NegativeMention("acme", "rev-2", "warning"),  // a 1-star rating raises info to warning
                NeedsReply("acme", "rev-2", "warning", false, true, true)},
               "after the restart");
  EXPECT_EQ(collector_->alerts()[seq_before_restart].seq, seq_before_restart + 1) << "seq goes on";

  // Evening: a question on the Atom blog, which asks its readers, not the
  // brand: stored, no alert.
  Publish("evening");
  PollNow("blog");
  AwaitStored(3);
  ExpectNoMoreAlerts("end of the day");

  // What was published is what was journaled: a fresh subscriber catching up
  // from 0 gets the same alerts, and no event was journaled twice.
  std::vector<Got> got = collector_->alerts();
  std::set<std::string> keys;
  for (const auto& g : got) EXPECT_TRUE(keys.insert(g.dedupe_key).second) << "dedupe key twice: " << g.dedupe_key;
  auto sub = publish::Subscriber::Connect("ipc://" + work_ + "/run/alerts.sock", "ipc://" + work_ + "/run/catchup.sock",
                                          {"alert."}, {});
  ASSERT_TRUE(sub.ok());
  std::vector<Got> journal;
  auto end = (*sub)->CatchUp(
      {0, "", 0},
      [&](publish::Message&& m) {
        if (auto a = ParseAlert(m.topic, m.payload)) journal.push_back(*a);
      },
      seconds(20));
  ASSERT_TRUE(end.ok()) << end.status().message();
  EXPECT_TRUE(end->complete);
  ASSERT_EQ(journal.size(), got.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(journal[i].seq, got[i].seq);
    EXPECT_EQ(journal[i].dedupe_key, got[i].dedupe_key);
  }
  EXPECT_TRUE(collector_->errors().empty()) << collector_->errors().front();
  StopDaemon();
}

}  // namespace
}  // namespace brandmon::testing
