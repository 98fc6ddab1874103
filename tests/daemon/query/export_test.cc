#include "daemon/query/export.h"

#include <gtest/gtest.h>

#include <string>

namespace brandmon::query {
namespace {

MentionRow Row(const std::string& text) {
  MentionRow row;
  row.stored.stored_at = FromUnixMillis(1'767'225'600'250);
  ScoredMention& sm = row.stored.scored;
  sm.brand = "acme";
  sm.mention.channel = "rss";
  sm.lang = "en";
  sm.mention.text = text;
  sm.sentiment = {-0.5, 0, 0.5, 0.5, "negative", std::nullopt};
  return row;
}

TEST(ExportCsvTest, AnUnscoredMentionSaysSoInTheLabelColumn) {
  MentionRow row = Row("privet acme");
  row.stored.scored.lang = "ru";
  row.stored.scored.sentiment = Sentiment{};
  row.stored.scored.sentiment.scored = false;
  std::string out;
  AppendCsvRow(out, row);
  EXPECT_EQ(out, "2026-01-01T00:00:00.250Z,,acme,rss,ru,unscored,0,,0,1,0,0,,,,privet acme\r\n");
}

TEST(ExportCsvTest, FieldsAreQuotedRepairedAndDefusedWithoutChangingValidText) {
  std::string out;
  AppendCsvRow(out, Row("=1+1, \"said\" caf\xC3\xA9 \xFF"));
  EXPECT_EQ(out,
            "2026-01-01T00:00:00.250Z,,acme,rss,en,negative,-0.5,,0,0.5,0.5,0,,,,\"'=1+1, \"\"said\"\" caf\xC3\xA9 "
            "\xEF\xBF\xBD\"\r\n");
}

}  // namespace
}  // namespace brandmon::query
