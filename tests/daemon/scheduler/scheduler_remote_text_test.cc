// What remote content can do to a mention: every plugin's output, loaded from
// a config as the daemon would, comes out of the engine with no character
// that could forge or split a line (ESC sequences, CR/LF, C1, bidi
// overrides) in any field, and with each field capped by "limits".

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <sstream>

#include "daemon/scheduler/scheduler.h"
#include "daemon/settings/settings.h"
#include "tests/daemon/fetch/http_test_server.h"
#include "tests/support/test_util.h"

namespace brandmon::scheduler {
namespace {

using testing::HttpTestServer;

// An ANSI color and screen clear, a line break with a forged log line after
// it, a right-to-left override, a C1 CSI and a NUL, in JSON string syntax.
const char kEvilJson[] = R"(\u001b[31mRED\u001b[2J\r\n2026-01-01 error FORGED\u202Egpj.exe\u009b1m\u0000end)";

// Where each unsafe character is, or npos.
size_t FindUnsafe(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7F) return i;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0) return i;
    if (c == 0xE2 && i + 2 < s.size()) {
      auto b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
      if (b1 == 0x80 && b2 >= 0xA8 && b2 <= 0xAE) return i;
      if (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9) return i;
    }
  }
  return std::string_view::npos;
}

void ExpectClean(const Mention& m, const std::vector<std::string>& fields_with_evil) {
  SCOPED_TRACE(MentionToJson(m));
  const std::pair<const char*, const std::string*> fields[] = {
      {"source", &m.source}, {"channel", &m.channel}, {"id", &m.id},         {"url", &m.url},
      {"title", &m.title},   {"text", &m.text},       {"author", &m.author},
  };
  for (const auto& [name, value] : fields) {
    EXPECT_EQ(FindUnsafe(*value), std::string::npos) << name;
  }
  if (m.lang) {
    EXPECT_EQ(FindUnsafe(*m.lang), std::string::npos) << "lang";
  }
  for (const auto& [name, value] : m.metrics) EXPECT_EQ(FindUnsafe(name), std::string::npos) << name;
  // The content around the controls is kept: the fields were cleaned, not dropped.
  for (const auto& [name, value] : fields) {
    for (const auto& f : fields_with_evil) {
      if (f == name) {
        EXPECT_NE(value->find("FORGED"), std::string::npos) << name;
      }
    }
  }
}

class EngineRemoteTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    spdlog::set_default_logger(
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_)));
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  // Loads `sources` (a JSON array) with `limits` (a JSON object) as the
  // daemon would, polls every source once and returns what they produced.
  std::vector<Mention> RunSources(const std::string& sources, const std::string& limits = "{}") {
    std::string path = dir_.Write("brandmon.json", R"({"limits": )" + limits + R"(, "sources": )" + sources +
                                                       R"(, "brands": [{"name": "acme"}]})");
    auto settings = settings::LoadSettings(
        path, [](const std::string&) { return std::optional<std::string>(); }, plugin::BuiltinRegistry());
    EXPECT_TRUE(settings.ok()) << settings.status().message();
    if (!settings.ok()) return {};
    std::vector<Mention> out;
    std::mutex mu;
    Scheduler engine(clock_, threads_, [&](const settings::SourceSettings&, PollResult r) {
      std::lock_guard<std::mutex> lock(mu);
      EXPECT_TRUE(r.status.ok()) << r.status.message();
      for (auto& m : r.mentions) out.push_back(std::move(m));
    });
    engine.Apply(settings->sources);
    engine.RunOnce();
    return out;
  }

  FakeClock clock_;
  ThreadSet threads_;
  HttpTestServer server_;
  testing::TempDir dir_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> previous_;
};

// One JSON Lines item with the hostile string in every field.
std::string EvilJsonLine() {
  std::string e = kEvilJson;
  return R"({"id":"id)" + e + R"(","url":"https://e.example/)" + e + R"(","title":"title)" + e + R"(","text":"text)" +
         e + R"(","author":"author)" + e + R"(","channel":"ch)" + e + R"(","lang":"en)" + e + R"(","metrics":{"likes)" +
         e + R"(":1}})";
}

const std::vector<std::string> kAllFields = {"channel", "id", "url", "title", "text", "author"};

TEST_F(EngineRemoteTextTest, FeedItems) {
  // Raw controls are not XML; they come as references, and inside escaped
  // HTML, which the feed decodes.
  const std::string evil = "&amp;#x1b;[31mRED&#13;&#10;FORGED&#x202E;gpj.exe&#x9b;1m&amp;#x85;end";
  std::string feed = R"(<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">)"
                     R"(<channel><title>t</title><item><guid>id)" +
                     evil + "</guid><title>title" + evil + "</title><description>text" + evil +
                     "</description><link>https://e.example/" + evil + "</link><dc:creator>author" + evil +
                     "</dc:creator></item></channel></rss>";
  server_.server().Get(
      "/feed", [&](const httplib::Request&, httplib::Response& res) { res.set_content(feed, "application/rss+xml"); });
  auto mentions = RunSources(R"([{"name": "blog", "type": "feed", "url": ")" + server_.Url("/feed") + R"("}])");
  ASSERT_EQ(mentions.size(), 1u);
  ExpectClean(mentions[0], {"title", "text", "author"});
  EXPECT_NE(mentions[0].title.find("RED"), std::string::npos);
}

TEST_F(EngineRemoteTextTest, HttpJsonItems) {
  std::string e = kEvilJson;
  std::string body = R"({"items":[{"id":"id)" + e + R"(","link":"https://e.example/)" + e + R"(","title":"title)" + e +
                     R"(","body":"text)" + e + R"(","user":"author)" + e + R"("}]})";
  server_.server().Get(
      "/api", [&](const httplib::Request&, httplib::Response& res) { res.set_content(body, "application/json"); });
  auto mentions = RunSources(R"([{"name": "api", "type": "http_json", "url": ")" + server_.Url("/api") +
                             R"(", "items": "/items", "fields": {"id": "/id", "url": "/link", "title": "/title",)"
                             R"( "text": "/body", "author": "/user"}}])");
  ASSERT_EQ(mentions.size(), 1u);
  ExpectClean(mentions[0], {"id", "url", "title", "text", "author"});
}

TEST_F(EngineRemoteTextTest, FileJsonLines) {
  std::string path = dir_.Write("in/items.jsonl", EvilJsonLine() + "\n");
  auto mentions = RunSources(R"([{"name": "f", "type": "file", "path": ")" + path + R"("}])");
  ASSERT_EQ(mentions.size(), 1u);
  ExpectClean(mentions[0], kAllFields);
}

TEST_F(EngineRemoteTextTest, ExecOutput) {
  std::string path = dir_.Write("out.jsonl", EvilJsonLine() + "\n");
  auto mentions = RunSources(R"([{"name": "x", "type": "exec", "command": ["cat", ")" + path + R"("]}])");
  ASSERT_EQ(mentions.size(), 1u);
  ExpectClean(mentions[0], kAllFields);
}

TEST_F(EngineRemoteTextTest, LimitsFromTheConfigCapEveryPluginsFields) {
  std::string big(20000, 'x');
  std::string line = R"({"id":")" + big + R"(","url":"https://e.example/)" + big + R"(","title":")" + big +
                     R"(","text":")" + big + R"(","author":")" + big + R"("})";
  std::string path = dir_.Write("in/big.jsonl", line + "\n");
  auto mentions = RunSources(R"([{"name": "f", "type": "file", "path": ")" + path + R"("}])",
                             R"({"title": "100B", "text": "1KiB", "author": "64B", "url": "200B", "id": "80B"})");
  ASSERT_EQ(mentions.size(), 1u);
  const Mention& m = mentions[0];
  EXPECT_EQ(m.title.size(), 100u);
  EXPECT_EQ(m.text.size(), 1024u);
  EXPECT_EQ(m.author.size(), 64u);
  EXPECT_EQ(m.url.size(), 200u);
  EXPECT_EQ(m.id.size(), 80u);
  EXPECT_EQ(m.truncated, (std::vector<std::string>{"id", "url", "title", "text", "author"}));
  // The default limits keep the whole 20,000-byte text and cut the rest.
  auto defaults = RunSources(R"([{"name": "f", "type": "file", "path": ")" + path + R"("}])");
  ASSERT_EQ(defaults.size(), 1u);
  EXPECT_EQ(defaults[0].title.size(), 1024u);
  EXPECT_EQ(defaults[0].text.size(), 20000u);
  EXPECT_EQ(defaults[0].id.size(), 2048u);
  EXPECT_EQ(defaults[0].truncated, (std::vector<std::string>{"id", "url", "title", "author"}));
}

}  // namespace
}  // namespace brandmon::scheduler
