// Runs the real brandmond with its HTTP listener on a free port and checks
// what Prometheus and a load balancer see: /metrics parses and agrees with
// `brandmonctl status`, the token is required, /healthz follows the store,
// and hostile clients leave the daemon serving.

#include <arpa/inet.h>
#include <httplib.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "tests/integration/notify_listener.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kToken[] = "metrics-token-1234";

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Parses `text` as the Prometheus text format 0.0.4, strictly: each family
// has one HELP and one TYPE line before its samples, samples of a family
// are together (a histogram's _bucket, _sum and _count samples), names and labels are well formed, values parse, no
// series is repeated and the text ends with a newline. Returns "" or the problem.
std::string ParseExposition(const std::string& text, std::vector<Sample>& out) {
  static const std::regex kComment(R"(# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*))");
  static const std::regex kSample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+))");
  static const std::regex kLabel(R"(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)\"(,|$))");
  if (text.empty() || text.back() != '\n') return "does not end with a newline";
  std::set<std::string> families, series;
  std::string family, type;
  bool help = false;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, kComment)) {
      if (m[1] == "HELP") {
        if (!families.insert(m[2]).second) return "family twice: " + line;
        family = m[2];
        help = true;
        type.clear();
      } else {
        if (!help || m[2] != family || !type.empty()) return "TYPE without its HELP: " + line;
        type = m[3];
        if (type != "counter" && type != "gauge" && type != "histogram") return "unexpected type: " + line;
      }
      continue;
    }
    if (!std::regex_match(line, m, kSample)) return "malformed line: " + line;
    std::string name = m[1];
    bool own = name == family || (type == "histogram" &&
                                  (name == family + "_bucket" || name == family + "_sum" || name == family + "_count"));
    if (!own || type.empty()) return "sample outside its family: " + line;
    if (type == "counter" && !family.ends_with("_total")) return "counter without _total: " + family;
    Sample s{m[1], {}, 0};
    std::string labels = m[3];
    for (auto it = std::sregex_iterator(labels.begin(), labels.end(), kLabel); it != std::sregex_iterator(); ++it) {
      if (it->position() + it->length() > 0 && !s.labels.emplace((*it)[1], (*it)[2]).second) return "label twice";
    }
    std::string rebuilt;
    for (const auto& [k, v] : s.labels) rebuilt += k + "=\"" + v + "\",";
    if (rebuilt.size() != labels.size() + (labels.empty() ? 0 : 1)) return "malformed labels: " + line;
    std::string value = m[4];
    char* end = nullptr;
    s.value = std::strtod(value.c_str(), &end);
    if (*end != '\0') return "bad value: " + line;
    if (!series.insert(m[1].str() + "{" + rebuilt + "}").second) return "series twice: " + line;
    out.push_back(std::move(s));
  }
  return "";
}

double Sum(const std::vector<Sample>& samples, const std::string& name) {
  double sum = 0;
  for (const auto& s : samples) {
    if (s.name == name) sum += s.value;
  }
  return sum;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class HttpListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // httplib's client writes a cut-off upload without MSG_NOSIGNAL.
    signal(SIGPIPE, SIG_IGN);
    port_ = FreePort();
    feed_ = dir_.Write("feed.jsonl", R"({"id": "1", "text": "acme is great, love it"})"
                                     "\n"
                                     R"({"id": "2", "text": "acme is terrible, awful support"})"
                                     "\n"
                                     R"({"id": "3", "text": "acme shipped a thing", "channel": "news"})"
                                     "\n");
    config_ = dir_.Write("brandmon.json", R"({
      "daemon": {"state_dir": ")" + (dir_.path() / "state").string() +
                                              R"(", "runtime_dir": ")" + (dir_.path() / "run").string() +
                                              R"(", "status_interval": "1s"},
      "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"]},
      "http": {"listen": "127.0.0.1:)" + std::to_string(port_) +
                                              R"(", "token": "${env:METRICS_TOKEN}", "read_timeout": "1s"},
      "sources": [{"name": "a", "type": "file", "path": ")" +
                                              feed_ +
                                              R"(", "interval": "1h", "channel": "blog"}],
      "brands": [{"name": "acme"}]
    })");
  }

  void StartDaemon() {
    listener_ = std::make_unique<NotifyListener>((dir_.path() / "notify.sock").string());
    daemon_ = std::make_unique<Process>(
        std::vector<std::string>{BinaryPath("brandmond"), "--config", config_},
        std::map<std::string, std::string>{{"NOTIFY_SOCKET", listener_->path()}, {"METRICS_TOKEN", kToken}});
    ASSERT_FALSE(listener_->WaitFor("READY=1", seconds(20)).empty()) << daemon_->Stderr();
  }

  void TearDown() override {
    if (!daemon_) return;
    daemon_->Signal(SIGTERM);
    EXPECT_EQ(daemon_->Wait(seconds(20)), 0) << daemon_->Stderr();
  }

  struct Got {
    int status = -1;  // -1: no response
    std::string body;
    std::string content_type;
  };
  Got Get(const std::string& path, bool with_token = true) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(seconds(10));
    httplib::Headers headers;
    if (with_token) headers.emplace("Authorization", std::string("Bearer ") + kToken);
    auto res = c.Get(path.c_str(), headers);
    if (!res) return {};
    return {res->status, res->body, res->get_header_value("Content-Type")};
  }

  rapidjson::Document Status() {
    std::string out, err;
    RunCommand({BinaryPath("brandmonctl"), "status", "--json", "--config", config_}, &out, &err,
               {{"METRICS_TOKEN", kToken}});
    rapidjson::Document doc;
    doc.Parse(out.c_str());
    EXPECT_TRUE(doc.IsObject()) << out << err;
    return doc;
  }

  // Waits until status reports `n` stored mentions.
  rapidjson::Document WaitForStored(uint64_t n) {
    rapidjson::Document status;
    for (int i = 0; i < 200; ++i) {
      status = Status();
      if (status.IsObject() && status["mentions_stored"].GetUint64() >= n) break;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return status;
  }

  std::vector<Sample> Metrics() {
    Got res = Get("/metrics");
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.content_type, "text/plain; version=0.0.4; charset=utf-8");
    std::vector<Sample> samples;
    EXPECT_EQ(ParseExposition(res.body, samples), "") << res.body;
    return samples;
  }

  TempDir dir_;
  int port_ = 0;
  std::string feed_, config_;
  std::unique_ptr<NotifyListener> listener_;
  std::unique_ptr<Process> daemon_;
};

TEST_F(HttpListenerTest, MetricsParseAndAgreeWithStatus) {
  StartDaemon();
  rapidjson::Document status = WaitForStored(3);
  ASSERT_EQ(status["mentions_stored"].GetUint64(), 3u);
  std::vector<Sample> m = Metrics();
  EXPECT_EQ(Sum(m, "brandmon_mentions_stored_total"), 3);
  EXPECT_EQ(Sum(m, "brandmon_mentions_total"), 3);
  EXPECT_EQ(Sum(m, "brandmon_alerts_journaled_total"), status["alerts"].GetUint64());
  EXPECT_EQ(Sum(m, "brandmon_alerts_total"), status["alerts"].GetUint64());
  EXPECT_EQ(Sum(m, "brandmon_store_write_errors_total"), status["store"]["write_errors"].GetUint64());
  EXPECT_EQ(Sum(m, "brandmon_publisher_published_total"), status["publisher"]["published"].GetUint64());
  // The publisher's queues, both drained once the alerts went out (no subscriber holds one back).
  EXPECT_EQ(Sum(m, "brandmon_publisher_queued_messages"), 0);
  EXPECT_EQ(Sum(m, "brandmon_publisher_backlog_messages"), 0);
  EXPECT_TRUE(status["publisher"].HasMember("queued_messages") && status["publisher"].HasMember("backlog_messages"));
  EXPECT_EQ(Sum(m, "brandmon_source_mentions_total"), status["sources"][0]["mentions"].GetUint64());
  EXPECT_EQ(Sum(m, "brandmon_journal_last_seq"), status["last_seq"].GetUint64());
  // The poll that read the file moved its source's counters; a file source
  // sends no HTTP request.
  EXPECT_GE(Sum(m, "brandmon_source_polls_total"), 1);
  EXPECT_EQ(Sum(m, "brandmon_source_poll_errors_total"), 0);
  EXPECT_EQ(Sum(m, "brandmon_source_fetch_duration_seconds_count"), 0);
  EXPECT_EQ(Sum(m, "brandmon_mention_sentiment_count"), 3) << "each stored mention's sentiment";
  EXPECT_GE(Sum(m, "brandmon_pipeline_batch_duration_seconds_count"), 1);
  EXPECT_GE(Sum(m, "brandmon_store_commit_duration_seconds_count"), 1);
  std::map<std::string, double> by_channel;
  std::set<std::string> labels;
  for (const auto& s : m) {
    if (s.name == "brandmon_build_info") {
      EXPECT_EQ(s.labels.at("version"), status["version"].GetString());
    }
    if (s.name == "brandmon_source_polls_total") {
      EXPECT_EQ(s.labels.at("source"), "a");
      EXPECT_FALSE(s.labels.contains("plugin")) << "the plugin is on brandmon_source_info";
    }
    if (s.name == "brandmon_source_info") {
      EXPECT_EQ(s.labels.at("source"), "a");
      EXPECT_EQ(s.labels.at("plugin"), "file");
      EXPECT_EQ(s.value, 1);
    }
    if (s.name != "brandmon_mentions_total") continue;
    EXPECT_EQ(s.labels.at("brand"), "acme");
    by_channel[s.labels.at("channel")] += s.value;
    labels.insert(s.labels.at("label"));
  }
  EXPECT_EQ(by_channel, (std::map<std::string, double>{{"blog", 2}, {"news", 1}}));
  EXPECT_TRUE(labels.contains("positive") && labels.contains("negative")) << ::testing::PrintToString(labels);
  if (std::filesystem::exists("/usr/bin/promtool")) {
    std::string out, err;
    int rc = RunCommand({"/usr/bin/promtool", "check", "metrics"}, &out, &err, {}, seconds(30), Get("/metrics").body);
    EXPECT_EQ(rc, 0) << out << err;
  }
}

TEST_F(HttpListenerTest, TokenIsRequiredButNotForHealthz) {
  StartDaemon();
  Got denied = Get("/metrics", false);
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(denied.body.find(kToken), std::string::npos);
  EXPECT_EQ(Get("/readyz", false).status, 401);
  EXPECT_EQ(Get("/metrics").status, 200);
  Got ready = Get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "{\"status\":\"ready\"}\n");
  Got health = Get("/healthz", false);
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "{\"status\":\"ok\"}\n");
  EXPECT_EQ(Get("/nothing").status, 404);
}

TEST_F(HttpListenerTest, ReloadsAreCounted) {
  StartDaemon();
  std::string out, err;
  std::map<std::string, std::string> env = {{"METRICS_TOKEN", kToken}};
  ASSERT_EQ(RunCommand({BinaryPath("brandmonctl"), "reload", "--config", config_}, &out, &err, env), 0) << out << err;
  std::vector<Sample> m = Metrics();
  for (const auto& s : m) {
    if (s.name == "brandmon_reloads_total") {
      EXPECT_EQ(s.value, s.labels.at("result") == "ok" ? 1 : 0);
    }
  }
}

TEST_F(HttpListenerTest, HealthzIs503WhileTheStoreCannotBeWritten) {
  StartDaemon();
  WaitForStored(3);
  ASSERT_EQ(Get("/healthz", false).status, 200);
  // A second connection holds the write lock past the daemon's busy timeout.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / "state" / "brandmon.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::ofstream(feed_, std::ios::app) << R"({"id": "4", "text": "acme again"})"
                                      << "\n";
  std::string out, err;
  RunCommand({BinaryPath("brandmonctl"), "poll-now", "a", "--config", config_}, &out, &err,
             {{"METRICS_TOKEN", kToken}});
  Got health;
  for (int i = 0; i < 300 && health.status != 503; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    health = Get("/healthz", false);
  }
  EXPECT_EQ(health.status, 503);
  EXPECT_NE(health.body.find("\"reason\":\"store: "), std::string::npos) << health.body;
  std::vector<Sample> m = Metrics();
  EXPECT_EQ(Sum(m, "brandmon_store_failing"), 1);
  EXPECT_GE(Sum(m, "brandmon_store_write_errors_total"), 1);
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  for (int i = 0; i < 400 && health.status != 200; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    health = Get("/healthz", false);
  }
  EXPECT_EQ(health.status, 200) << health.body;
  EXPECT_EQ(WaitForStored(4)["mentions_stored"].GetUint64(), 4u);
}

TEST_F(HttpListenerTest, HostileClientsLeaveTheDaemonServing) {
  StartDaemon();
  httplib::Client c("127.0.0.1", port_);
  auto big = c.Post("/healthz", std::string(10 << 20, 'x'), "application/octet-stream");
  if (big) {
    EXPECT_EQ(big->status, 413);
  }
  httplib::Headers huge;
  for (int i = 0; i < 40; ++i) huge.emplace("X-Filler-" + std::to_string(i), std::string(1000, 'a'));
  auto res = c.Get("/healthz", huge);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  // Clients that connect and say nothing: each is cut after read_timeout.
  std::vector<int> silent;
  for (int i = 0; i < 40; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    silent.push_back(fd);
  }
  int rc = 0;
  std::string out, err;
  rc = RunCommand({BinaryPath("brandmonctl"), "status", "--config", config_}, &out, &err, {{"METRICS_TOKEN", kToken}});
  EXPECT_EQ(rc, 0) << out << err;
  for (int fd : silent) close(fd);
  Got health;
  for (int i = 0; i < 100 && health.status != 200; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    health = Get("/healthz", false);
  }
  EXPECT_EQ(health.status, 200);
  std::vector<Sample> m = Metrics();
  EXPECT_GE(Sum(m, "brandmon_http_refused_connections_total"), 1);
}

// The value of the instant query `query` from the Prometheus at `port`, or
// "" while it has none.
std::string QueryPrometheus(int port, const std::string& query) {
  httplib::Client c("127.0.0.1", port);
  auto res = c.Get("/api/v1/query", httplib::Params{{"query", query}}, httplib::Headers{});
  if (!res || res->status != 200) return "";
  rapidjson::Document doc;
  doc.Parse(res->body.c_str());
  if (!doc.IsObject() || !doc.HasMember("data")) return "";
  const auto& result = doc["data"]["result"];
  if (!result.IsArray() || result.Empty()) return "";
  return result[0]["value"][1].GetString();
}

TEST_F(HttpListenerTest, APrometheusScrapesTheStoredMentionCount) {
  if (!std::filesystem::exists("/usr/bin/prometheus")) GTEST_SKIP() << "no /usr/bin/prometheus (Debian prometheus)";
  StartDaemon();
  ASSERT_EQ(WaitForStored(3)["mentions_stored"].GetUint64(), 3u);
  std::string token_file = dir_.Write("token", kToken);
  std::string prometheus_config = dir_.Write("prometheus.yml", R"(global: {scrape_interval: 1s}
scrape_configs:
  - job_name: brandmond
    static_configs: [{targets: ["127.0.0.1:)" + std::to_string(port_) +
                                                                   R"("]}]
    authorization: {credentials_file: ")" + token_file + R"("}
)");
  int prometheus_port = FreePort();
  Process prometheus({"/usr/bin/prometheus", "--config.file=" + prometheus_config,
                      "--storage.tsdb.path=" + (dir_.path() / "tsdb").string(),
                      "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)});
  std::string sum;
  for (int i = 0; i < 600 && sum.empty(); ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    sum = QueryPrometheus(prometheus_port, "sum(brandmon_mentions_total)");
  }
  EXPECT_EQ(QueryPrometheus(prometheus_port, "up{job=\"brandmond\"}"), "1") << prometheus.Stderr();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir_.path() / "state" / "brandmon.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM mentions", -1, &count, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(count), SQLITE_ROW);
  int64_t stored = sqlite3_column_int64(count, 0);
  sqlite3_finalize(count);
  sqlite3_close(db);
  EXPECT_EQ(stored, 3);
  EXPECT_EQ(sum, std::to_string(stored)) << prometheus.Stderr();
  prometheus.Signal(SIGTERM);
  prometheus.Wait(seconds(20));
}

// /api/v1 and brandmonctl export against the running daemon's database.
TEST_F(HttpListenerTest, TheReadApiAndExportShowWhatTheDatabaseHolds) {
  StartDaemon();
  ASSERT_EQ(WaitForStored(3)["mentions_stored"].GetUint64(), 3u);
  std::map<std::string, std::string> label_of;  // text -> label, as stored
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2((dir_.path() / "state" / "brandmon.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
              SQLITE_OK);
    sqlite3_stmt* rows = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT text, label FROM mentions", -1, &rows, nullptr), SQLITE_OK);
    while (sqlite3_step(rows) == SQLITE_ROW) {
      label_of[reinterpret_cast<const char*>(sqlite3_column_text(rows, 0))] =
          reinterpret_cast<const char*>(sqlite3_column_text(rows, 1));
    }
    sqlite3_finalize(rows);
    sqlite3_close(db);
  }
  ASSERT_EQ(label_of.size(), 3u);

  Got mentions = Get("/api/v1/mentions?brand=acme&since=1d");
  ASSERT_EQ(mentions.status, 200) << mentions.body;
  rapidjson::Document doc;
  doc.Parse(mentions.body.c_str());
  ASSERT_TRUE(doc.IsObject()) << mentions.body;
  std::map<std::string, std::string> served;
  for (const auto& m : doc["mentions"].GetArray()) served[m["text"].GetString()] = m["sentiment"]["label"].GetString();
  EXPECT_EQ(served, label_of);

  Got breakdown = Get("/api/v1/breakdown?by=channel&since=1d");
  ASSERT_EQ(breakdown.status, 200) << breakdown.body;
  rapidjson::Document rows;
  rows.Parse(breakdown.body.c_str());
  std::map<std::string, int64_t> by_channel;
  for (const auto& r : rows["rows"].GetArray()) by_channel[r["channel"].GetString()] = r["mentions"].GetInt64();
  EXPECT_EQ(by_channel, (std::map<std::string, int64_t>{{"blog", 2}, {"news", 1}}));

  Got found = Get("/api/v1/mentions?q=terrible%20support");
  ASSERT_EQ(found.status, 200);
  EXPECT_NE(found.body.find("acme is terrible, awful support"), std::string::npos) << found.body;
  EXPECT_EQ(found.body.find("love it"), std::string::npos);

  Got bad = Get("/api/v1/series?since=1d&until=2d");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("since: is after until"), std::string::npos) << bad.body;
  EXPECT_EQ(Get("/api/v1/sources", false).status, 401);

  std::string out, err;
  int rc =
      RunCommand({BinaryPath("brandmonctl"), "export", "--config", config_, "--since", "1d", "--label", "negative"},
                 &out, &err, {{"METRICS_TOKEN", kToken}});
  ASSERT_EQ(rc, 0) << err;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;  // the header and the one negative mention
  EXPECT_NE(out.find("\"acme is terrible, awful support\""), std::string::npos) << out;
}
}  // namespace
}  // namespace brandmon::testing
