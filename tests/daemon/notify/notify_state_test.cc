#include "daemon/notify/notify_state.h"

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace brandmon::notify {
namespace {

TEST(NotifyStateTest, ANewReceiverHasNoCursor) {
  auto state = NotifyState::Open(":memory:");
  ASSERT_TRUE(state.ok()) << state.status().message();
  auto r = state->Load("hooks");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->cursor);
  EXPECT_EQ(r->delivered, 0u);
}

TEST(NotifyStateTest, CountsAndCursorSurviveAReopen) {
  brandmon::testing::TempDir dir;
  std::string path = dir.path().string() + "/notify.db";
  {
    auto state = NotifyState::Open(path);
    ASSERT_TRUE(state.ok());
    ASSERT_TRUE(state->SetCursor("hooks", 10).ok());
    ASSERT_TRUE(state->RecordDelivered("hooks", 3, 13).ok());
    ASSERT_TRUE(state->RecordDelivered("hooks", 2, std::nullopt).ok());
    ASSERT_TRUE(state->RecordRetry("hooks", "http 503").ok());
    DeadLetter d{0, "hooks", "hooks:14-15", {R"({"seq":14})", R"({"seq":15})"}, "http 400: bad", FromUnixMillis(5)};
    ASSERT_TRUE(state->RecordDeadLetter(d, 15).ok());
    ASSERT_TRUE(state->SetCursor("other", 2).ok());
  }
  auto state = NotifyState::Open(path);
  ASSERT_TRUE(state.ok());
  auto r = state->Load("hooks");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->cursor, 15u);
  EXPECT_EQ(r->delivered, 5u);
  EXPECT_EQ(r->retried, 1u);
  EXPECT_EQ(r->failed, 2u);
  EXPECT_EQ(r->dead_letters, 1u);
  EXPECT_EQ(r->last_error, "http 400: bad");
  auto letters = state->DeadLetters("hooks");
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 1u);
  EXPECT_EQ((*letters)[0].key, "hooks:14-15");
  EXPECT_EQ((*letters)[0].alerts, (std::vector<std::string>{R"({"seq":14})", R"({"seq":15})"}));
  EXPECT_EQ((*letters)[0].at, FromUnixMillis(5));
  ASSERT_TRUE(state->RemoveDeadLetter((*letters)[0].id).ok());
  EXPECT_TRUE(state->DeadLetters("hooks")->empty());
  EXPECT_EQ(*state->Receivers(), (std::vector<std::string>{"hooks", "other"}));
}

}  // namespace
}  // namespace brandmon::notify
