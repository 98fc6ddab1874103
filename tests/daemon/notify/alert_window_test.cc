#include "daemon/notify/alert_window.h"

#include <gtest/gtest.h>

#include <thread>

namespace brandmon::notify {
namespace {

AlertPtr Make(uint64_t seq, size_t text_bytes = 10) {
  auto m = std::make_shared<AlertMessage>();
  m->alert.seq = seq;
  m->json = std::string(text_bytes, 'x');
  return m;
}

std::vector<uint64_t> Seqs(const AlertWindow::Slice& s) {
  std::vector<uint64_t> out;
  for (const auto& a : s.alerts) out.push_back(a->alert.seq);
  return out;
}

TEST(AlertWindowTest, HandsOutAlertsAfterACursor) {
  AlertWindow w(100, 1 << 20);
  w.SetBaseline(10);
  for (uint64_t s : {11, 12, 14, 15}) w.Append(Make(s));
  EXPECT_EQ(Seqs(w.After(10, 100)), (std::vector<uint64_t>{11, 12, 14, 15}));
  EXPECT_EQ(Seqs(w.After(12, 100)), (std::vector<uint64_t>{14, 15}));
  EXPECT_EQ(Seqs(w.After(11, 2)), (std::vector<uint64_t>{12, 14}));
  EXPECT_TRUE(w.After(15, 100).alerts.empty());
  EXPECT_FALSE(w.After(15, 100).behind);
  // Before the baseline: only catch-up knows.
  EXPECT_TRUE(w.After(3, 100).behind);
}

TEST(AlertWindowTest, StaysBoundedAndSaysWhoFellBehind) {
  AlertWindow w(3, 1 << 20);
  w.SetBaseline(0);
  for (uint64_t s = 1; s <= 10; ++s) w.Append(Make(s));
  EXPECT_EQ(w.size(), 3u);
  auto behind = w.After(2, 100);
  EXPECT_TRUE(behind.behind);
  EXPECT_EQ(behind.covered_from, 7u);
  EXPECT_EQ(Seqs(w.After(7, 100)), (std::vector<uint64_t>{8, 9, 10}));

  AlertWindow small(1000, 3000);
  small.SetBaseline(0);
  for (uint64_t s = 1; s <= 10; ++s) small.Append(Make(s, 1000));
  EXPECT_LE(small.bytes(), 3000u);
  EXPECT_LT(small.size(), 3u);
}

TEST(AlertWindowTest, ResetStartsAGenerationOver) {
  AlertWindow w(100, 1 << 20);
  w.SetBaseline(50);
  w.Append(Make(51));
  uint64_t gen = w.generation();
  w.Reset(0);
  EXPECT_NE(w.generation(), gen);
  EXPECT_TRUE(w.After(0, 10).alerts.empty());
  w.Append(Make(1));
  EXPECT_EQ(Seqs(w.After(0, 10)), (std::vector<uint64_t>{1}));
}

TEST(AlertWindowTest, WaitAfterWakesOnANewAlert) {
  AlertWindow w(100, 1 << 20);
  w.SetBaseline(0);
  std::thread appender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    w.Append(Make(1));
  });
  auto start = std::chrono::steady_clock::now();
  w.WaitAfter(0, start + std::chrono::seconds(10));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(w.last_seq(), 1u);
  appender.join();
}

}  // namespace
}  // namespace brandmon::notify
