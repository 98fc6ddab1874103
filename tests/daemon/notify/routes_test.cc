#include "daemon/notify/routes.h"

#include <gtest/gtest.h>

namespace brandmon::notify {
namespace {

TEST(GlobMatchTest, StarsMatchAnyRun) {
  struct Case {
    const char* pattern;
    const char* text;
    bool match;
  };
  const Case cases[] = {
      {"acme", "acme", true},
      {"acme", "acme2", false},
      {"acme*", "acme2", true},
      {"acme*", "acme", true},
      {"*", "", true},
      {"", "", true},
      {"", "x", false},
      {"*spike", "volume_spike", true},
      {"*spike*", "volume_spike_clear", true},
      {"a*b*c", "axxbyyc", true},
      {"a*b*c", "axxbyy", false},
      {"a**", "a", true},
      {"negative_*", "positive_mention", false},
  };
  for (const auto& c : cases) EXPECT_EQ(GlobMatch(c.pattern, c.text), c.match) << c.pattern << " " << c.text;
  // A hostile pattern stays fast.
  EXPECT_FALSE(GlobMatch(std::string(200, '*') + "b", std::string(100000, 'a')));
}

Alert MakeAlert(std::string brand, std::string rule, Severity severity, std::string channel = "") {
  Alert a;
  a.brand = std::move(brand);
  a.rule = std::move(rule);
  a.severity = severity;
  a.channel = std::move(channel);
  return a;
}

RouteSettings Route(RouteMatch match, std::vector<std::string> receivers, bool cont = false) {
  RouteSettings r;
  r.match = std::move(match);
  r.receivers = std::move(receivers);
  r.continue_matching = cont;
  return r;
}

TEST(RoutesTest, TriedInOrderFirstMatchWinsUnlessContinue) {
  std::vector<RouteSettings> routes = {
      Route({{"acme"}, {"needs_reply", "negative_mention"}, {}, {}}, {"care-team"}),
      Route({{}, {}, {"critical"}, {}}, {"oncall", "pr-team"}, /*cont=*/true),
      Route({{}, {}, {}, {"reddit", "you*"}}, {"social"}),
      Route({}, {"hooks"}),
  };
  struct Case {
    Alert alert;
    std::vector<size_t> routes;
  };
  const Case cases[] = {
      {MakeAlert("acme", "negative_mention", Severity::kCritical), {0}},
      {MakeAlert("globex", "negative_mention", Severity::kCritical), {1, 3}},
      {MakeAlert("globex", "volume_spike", Severity::kCritical, "youtube"), {1, 2}},
      {MakeAlert("globex", "volume_spike", Severity::kWarning, "reddit"), {2}},
      {MakeAlert("globex", "volume_spike", Severity::kWarning), {3}},
      {MakeAlert("acme", "volume_spike", Severity::kInfo, "rss"), {3}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(MatchingRoutes(routes, c.alert), c.routes) << c.alert.brand << " " << c.alert.rule;
  }
}

TEST(RoutesTest, AChannelPatternNeedsAChannelUnlessItIsAStar) {
  EXPECT_FALSE(RouteMatches({{}, {}, {}, {"reddit"}}, MakeAlert("a", "r", Severity::kInfo)));
  EXPECT_TRUE(RouteMatches({{}, {}, {}, {"*"}}, MakeAlert("a", "r", Severity::kInfo)));
  EXPECT_TRUE(RouteMatches({}, MakeAlert("a", "r", Severity::kInfo)));
}

TEST(RoutesTest, RouteForPicksTheFirstMatchingRouteNamingTheReceiver) {
  std::vector<RouteSettings> routes = {
      Route({{}, {}, {"critical"}, {}}, {"oncall"}, /*cont=*/true),
      Route({{"acme"}, {}, {}, {}}, {"oncall", "hooks"}, /*cont=*/true),
      Route({}, {"hooks"}),
  };
  Alert critical = MakeAlert("acme", "x", Severity::kCritical);
  EXPECT_EQ(RouteFor(routes, critical, "oncall"), 0u);
  EXPECT_EQ(RouteFor(routes, critical, "hooks"), 1u);
  EXPECT_EQ(RouteFor(routes, MakeAlert("globex", "x", Severity::kInfo), "hooks"), 2u);
  EXPECT_EQ(RouteFor(routes, MakeAlert("globex", "x", Severity::kInfo), "oncall"), std::nullopt);
  EXPECT_EQ(RouteFor({}, critical, "hooks"), std::nullopt);
}

}  // namespace
}  // namespace brandmon::notify
