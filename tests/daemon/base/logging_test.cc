#include "daemon/base/logging.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace brandmon {
namespace {

using namespace std::chrono_literals;

class RateLimitedLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("test", sink);
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
  FakeClock clock_;
};

TEST_F(RateLimitedLogTest, RepeatsAreSuppressedWithinTheWindow) {
  RateLimitedLog log(clock_, 10min);
  EXPECT_TRUE(log.Log(spdlog::level::warn, "source 'a'", "connection refused"));
  for (int i = 0; i < 50; ++i) {
    clock_.Advance(5s);
    EXPECT_FALSE(log.Log(spdlog::level::warn, "source 'a'", "connection refused"));
  }
  // Another source is independent.
  EXPECT_TRUE(log.Log(spdlog::level::warn, "source 'b'", "connection refused"));
  // A different message is logged at once, with the count of suppressed ones.
  EXPECT_TRUE(log.Log(spdlog::level::warn, "source 'a'", "http 500"));
  std::string text = out_.str();
  EXPECT_NE(text.find("source 'a': previous message repeated 50 more times"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4) << text;
}

TEST_F(RateLimitedLogTest, TheSameMessageReturnsAfterTheWindow) {
  RateLimitedLog log(clock_, 1min);
  EXPECT_TRUE(log.Log(spdlog::level::err, "k", "m"));
  clock_.Advance(30s);
  EXPECT_FALSE(log.Log(spdlog::level::err, "k", "m"));
  clock_.Advance(31s);
  EXPECT_TRUE(log.Log(spdlog::level::err, "k", "m"));
}

TEST(LogLevelTest, ParsesKnownLevelsOnly) {
  EXPECT_EQ(ParseLogLevel("debug"), spdlog::level::debug);
  EXPECT_EQ(ParseLogLevel("error"), spdlog::level::err);
  EXPECT_FALSE(ParseLogLevel("loud").has_value());
  EXPECT_FALSE(ParseLogLevel("").has_value());
}

}  // namespace
}  // namespace brandmon

namespace brandmon {
namespace {

// What a line of `style` says for `message`, as the daemon writes it.
std::string Logged(LogStyle style, const std::string& message) {
  std::ostringstream out;
  auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger->set_formatter(MakeLogFormatter(style));
  logger->warn("source 'x': {}", message);
  return out.str();
}

TEST(LogFormatterTest, AMessageIsOneLineWhateverItQuotes) {
  const std::string hostile =
      "bad date \"\x1b]0;owned\x07\x1b[2J\r\n<3>2026-01-01T00:00:00.000 error forged\xE2\x80\xAE\xC2\x9B\xFF\"";
  for (LogStyle style : {LogStyle::kJournal, LogStyle::kPlain, LogStyle::kTerminal}) {
    std::string line = Logged(style, hostile);
    SCOPED_TRACE(line);
    ASSERT_FALSE(line.empty());
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\r'), std::string::npos);
    EXPECT_EQ(line.find("\xE2\x80\xAE"), std::string::npos);
    EXPECT_EQ(line.find("\xC2\x9B"), std::string::npos);
    EXPECT_EQ(line.find('\x07'), std::string::npos);
    // Only the terminal style's own color codes may carry an ESC.
    if (style != LogStyle::kTerminal) {
      EXPECT_EQ(line.find('\x1b'), std::string::npos);
    }
    EXPECT_NE(line.find("\\x1b]0;owned\\x07\\x1b[2J\\r\\n<3>2026-01-01T00:00:00.000 error forged\\u202e\\u009b\\xff"),
              std::string::npos);
  }
  EXPECT_EQ(Logged(LogStyle::kJournal, "ok é"), "<4>source 'x': ok é\n");
}

TEST(LogFormatterTest, MultiLineReportsAreLoggedLineByLine) {
  auto previous = spdlog::default_logger();
  std::ostringstream out;
  auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger->set_formatter(MakeLogFormatter(LogStyle::kJournal));
  spdlog::set_default_logger(logger);
  LogLines(spdlog::level::err, "reload rejected:", "a.json:1:2: x: bad\na.json:3:4: y: bad\n");
  spdlog::set_default_logger(previous);
  EXPECT_EQ(out.str(), "<3>reload rejected:\n<3>  a.json:1:2: x: bad\n<3>  a.json:3:4: y: bad\n");
}

}  // namespace
}  // namespace brandmon
