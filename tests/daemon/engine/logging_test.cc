#include "daemon/engine/logging.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace brandmon::engine {
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
}  // namespace brandmon::engine
