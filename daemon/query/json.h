#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <vector>

#include "daemon/query/reader.h"

namespace brandmon::query {

// The answers of the queries as JSON (docs/api.md), written by /api/v1 and
// `brandmonctl export --format jsonl` alike. Strings are written as valid
// UTF-8 (invalid bytes become U+FFFD); non-finite numbers as null.
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// One compact object: the mention as subscribers receive it
// (ScoredMentionToJson) plus "stored_at" (RFC 3339) and "reach".
std::string MentionJson(const MentionRow& row);

void WriteSeries(JsonWriter& w, const TimeSeriesResult& result);
void WriteBreakdown(JsonWriter& w, Dimension by, const std::vector<BreakdownRow>& rows);
void WriteMentionPage(JsonWriter& w, const MentionPage& page);
// The alert's message as journaled, under "alert"; a payload that is not
// JSON (a damaged row) is written as a string under "payload" instead.
void WriteAlertPage(JsonWriter& w, const AlertPage& page);
void WriteSources(JsonWriter& w, const std::vector<store::SourceState>& sources);

}  // namespace brandmon::query
