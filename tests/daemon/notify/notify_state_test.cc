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

TEST(NotifyStateTest, DeadLettersAreReadAPageAtATime) {
  auto state = NotifyState::Open(":memory:");
  ASSERT_TRUE(state.ok());
  for (int i = 1; i <= 5; ++i) {
    std::string key = "hooks:" + std::to_string(i) + "-" + std::to_string(i);
    ASSERT_TRUE(
        state->RecordDeadLetter({0, i == 3 ? "other" : "hooks", key, {"{}"}, "http 400", {}}, std::nullopt).ok());
  }
  auto keys = [](const std::vector<DeadLetter>& page) {
    std::vector<std::string> out;
    for (const auto& d : page) out.push_back(d.key);
    return out;
  };
  auto first = state->DeadLetters("hooks", 0, 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(keys(*first), (std::vector<std::string>{"hooks:1-1", "hooks:2-2"}));
  auto second = state->DeadLetters("hooks", first->back().id, 2);
  EXPECT_EQ(keys(*second), (std::vector<std::string>{"hooks:4-4", "hooks:5-5"}));
  EXPECT_TRUE(state->DeadLetters("hooks", second->back().id, 2)->empty());
  EXPECT_TRUE(state->DeadLetters("hooks", 0, 0)->empty());
  EXPECT_EQ(state->DeadLetters("hooks")->size(), 4u);
}

TEST(NotifyStateTest, HeldAlertsSurviveAReopenAndLeaveOnceSent) {
  brandmon::testing::TempDir dir;
  std::string path = dir.path().string() + "/notify.db";
  {
    auto state = NotifyState::Open(path);
    ASSERT_TRUE(state.ok());
    auto first = state->Hold("hooks", 7, R"({"seq":7})", FromUnixMillis(2000));
    ASSERT_TRUE(first.ok());
    EXPECT_TRUE(*first);
    ASSERT_TRUE(state->Hold("hooks", 5, R"({"seq":5})", FromUnixMillis(1000)).ok());
    ASSERT_TRUE(state->Hold("hooks", 9, R"({"seq":9})", FromUnixMillis(3000)).ok());
    ASSERT_TRUE(state->Hold("other", 5, R"({"seq":5})", FromUnixMillis(1000)).ok());
    // Read again after a restart: held once, until the first time given.
    auto again = state->Hold("hooks", 5, R"({"seq":5})", FromUnixMillis(9000));
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(*again);
  }
  auto state = NotifyState::Open(path);
  ASSERT_TRUE(state.ok());
  auto held = state->Held("hooks");
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->count, 3u);
  EXPECT_EQ(held->next, FromUnixMillis(1000));
  EXPECT_TRUE(state->DueHeld("hooks", FromUnixMillis(999), 10)->empty());
  auto due = state->DueHeld("hooks", FromUnixMillis(2000), 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].seq, 5u);
  EXPECT_EQ((*due)[0].json, R"({"seq":5})");
  EXPECT_EQ((*due)[1].seq, 7u);
  EXPECT_EQ(state->DueHeld("hooks", FromUnixMillis(5000), 1)->size(), 1u);
  ASSERT_TRUE(state->RecordDelivered("hooks", 2, 9, {5, 7}).ok());
  EXPECT_EQ(state->Held("hooks")->count, 1u);
  EXPECT_EQ(state->Held("hooks")->next, FromUnixMillis(3000));
  DeadLetter d{0, "hooks", "hooks:9-9", {R"({"seq":9})"}, "http 400", FromUnixMillis(5)};
  ASSERT_TRUE(state->RecordDeadLetter(d, std::nullopt, {9}).ok());
  EXPECT_EQ(state->Held("hooks")->count, 0u);
  EXPECT_FALSE(state->Held("hooks")->next);
  EXPECT_EQ(state->Held("other")->count, 1u);
}

}  // namespace
}  // namespace brandmon::notify
