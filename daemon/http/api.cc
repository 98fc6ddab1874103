#include "daemon/http/api.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "daemon/base/scored_mention.h"
#include "daemon/http/dashboard.h"
#include "daemon/query/export.h"
#include "daemon/query/json.h"

namespace brandmon::http {
namespace {

using query::Params;

Reply Json(int status, const rapidjson::StringBuffer& buf) {
  return {status, "application/json", std::string(buf.GetString(), buf.GetSize()) + "\n"};
}

// The message may quote what the client sent: written by the JSON writer,
// never pasted.
Reply ErrorReply(int status, std::string_view message) {
  rapidjson::StringBuffer buf;
  query::JsonWriter w(buf);
  w.StartObject();
  w.Key("error");
  std::string valid = ValidUtf8(message);
  w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
  w.EndObject();
  return Json(status, buf);
}

Reply FromStatus(const Status& s) {
  switch (s.code()) {
    case Status::Code::kInvalidArgument: return ErrorReply(400, s.message());
    case Status::Code::kUnavailable: return ErrorReply(503, s.message());
    default: return ErrorReply(500, s.message());
  }
}

constexpr std::string_view kFilterParams[] = {"brand", "channel", "lang", "label", "since", "until"};

std::vector<std::string_view> Known(std::initializer_list<std::string_view> extra) {
  std::vector<std::string_view> known(std::begin(kFilterParams), std::end(kFilterParams));
  known.insert(known.end(), extra);
  return known;
}

// The Dimension of `name`'s value; kNone when absent and `required` is false.
Result<query::Dimension> DimensionParam(const Params& params, std::string_view name, bool required) {
  auto value = query::Single(params, name);
  if (!value.ok()) return value.status();
  if (!*value && required) {
    return Status::InvalidArgument(std::string(name) + ": required (brand, channel, lang or label)");
  }
  auto d = query::ParseDimension(value->value_or(""));
  if (!d || (required && *d == query::Dimension::kNone) || (!required && *d == query::Dimension::kBrand)) {
    return Status::InvalidArgument(std::string(name) + ": must be " +
                                   (required ? "brand, channel, lang or label" : "channel, lang or label"));
  }
  return *d;
}

template <typename Write>
Reply Answer(Write write) {
  rapidjson::StringBuffer buf;
  query::JsonWriter w(buf);
  write(w);
  return Json(200, buf);
}

Reply Series(query::Reader& reader, const Params& params, WallTime now) {
  if (auto s = query::CheckKnown(params, Known({"step", "split"})); !s.ok()) return FromStatus(s);
  auto filter = query::ParseFilter(params, now);
  if (!filter.ok()) return FromStatus(filter.status());
  auto step = query::ParseStep(params, *filter);
  if (!step.ok()) return FromStatus(step.status());
  auto split = DimensionParam(params, "split", false);
  if (!split.ok()) return FromStatus(split.status());
  auto result = reader.TimeSeries(*filter, *step, *split);
  if (!result.ok()) return FromStatus(result.status());
  return Answer([&](query::JsonWriter& w) { query::WriteSeries(w, *result); });
}

Reply Breakdown(query::Reader& reader, const Params& params, WallTime now) {
  if (auto s = query::CheckKnown(params, Known({"by"})); !s.ok()) return FromStatus(s);
  auto filter = query::ParseFilter(params, now);
  if (!filter.ok()) return FromStatus(filter.status());
  auto by = DimensionParam(params, "by", true);
  if (!by.ok()) return FromStatus(by.status());
  auto rows = reader.Breakdown(*filter, *by);
  if (!rows.ok()) return FromStatus(rows.status());
  return Answer([&](query::JsonWriter& w) { query::WriteBreakdown(w, *by, *rows); });
}

Reply Mentions(query::Reader& reader, const Params& params, WallTime now) {
  if (auto s = query::CheckKnown(params, Known({"q", "min_reach", "cursor", "limit", "sort"})); !s.ok()) {
    return FromStatus(s);
  }
  auto filter = query::ParseFilter(params, now);
  if (!filter.ok()) return FromStatus(filter.status());
  auto page = query::ParsePage(params);
  if (!page.ok()) return FromStatus(page.status());
  auto sort = query::Single(params, "sort");
  if (!sort.ok()) return FromStatus(sort.status());
  std::string order = sort->value_or("newest");
  if (order == "reach") {
    if (!page->cursor.empty()) return ErrorReply(400, "cursor: sort=reach has one page only");
    auto top = reader.TopMentions(*filter, page->limit);
    if (!top.ok()) return FromStatus(top.status());
    return Answer([&](query::JsonWriter& w) { query::WriteMentionPage(w, {std::move(*top), ""}); });
  }
  if (order != "newest") return ErrorReply(400, "sort: must be newest or reach");
  auto result = reader.Mentions(*filter, *page);
  if (!result.ok()) return FromStatus(result.status());
  return Answer([&](query::JsonWriter& w) { query::WriteMentionPage(w, *result); });
}

// The rows `brandmonctl export` writes, streamed: the parameters are checked
// before the first byte, so a bad one is still a 400; the rows then go out
// in blocks as they are read.
Reply Export(query::Reader& reader, const Params& params, WallTime now) {
  if (auto s = query::CheckKnown(params, Known({"q", "min_reach", "limit", "format", "bom"})); !s.ok()) {
    return FromStatus(s);
  }
  auto filter = query::ParseFilter(params, now);
  if (!filter.ok()) return FromStatus(filter.status());
  auto page = query::ParsePage(params, query::kMaxExportRows, query::kMaxExportRows);
  if (!page.ok()) return FromStatus(page.status());
  auto format = query::Single(params, "format");
  if (!format.ok()) return FromStatus(format.status());
  auto kind = query::ParseExportFormat(format->value_or("csv"));
  if (!kind) return ErrorReply(400, "format: must be csv or jsonl");
  auto bom = query::Single(params, "bom");
  if (!bom.ok()) return FromStatus(bom.status());
  if (*bom && **bom != "0" && **bom != "1") return ErrorReply(400, "bom: must be 0 or 1");
  query::ExportOptions options;
  options.format = *kind;
  options.bom = bom->value_or("0") == "1";
  options.limit = page->limit;
  bool csv = *kind == query::ExportFormat::kCsv;
  Reply reply{200, csv ? "text/csv; charset=utf-8; header=present" : "application/x-ndjson", ""};
  reply.attachment = csv ? "mentions.csv" : "mentions.jsonl";
  reply.stream = [&reader, filter = std::move(*filter), options](const ChunkWriter& write) {
    bool open = true;
    auto rows =
        query::ExportMentions(reader, filter, options, [&](std::string_view block) { return open = write(block); });
    return rows.ok() && open;
  };
  return reply;
}

Reply Alerts(query::Reader& reader, const Params& params, WallTime now) {
  if (auto s = query::CheckKnown(params, {"brand", "since", "until", "cursor", "limit"}); !s.ok()) {
    return FromStatus(s);
  }
  auto filter = query::ParseFilter(params, now);
  if (!filter.ok()) return FromStatus(filter.status());
  auto page = query::ParsePage(params);
  if (!page.ok()) return FromStatus(page.status());
  auto result = reader.Alerts(*filter, *page);
  if (!result.ok()) return FromStatus(result.status());
  return Answer([&](query::JsonWriter& w) { query::WriteAlertPage(w, *result); });
}

Reply Sources(query::Reader& reader, const Params& params, const config::Redactor& redactor) {
  if (auto s = query::CheckKnown(params, {}); !s.ok()) return FromStatus(s);
  auto sources = reader.Sources();
  if (!sources.ok()) return FromStatus(sources.status());
  // An error may quote a URL that carries a secret of the config.
  for (auto& source : *sources) source.last_error = redactor.Redact(source.last_error);
  return Answer([&](query::JsonWriter& w) { query::WriteSources(w, *sources); });
}

}  // namespace

Api::Api(std::string database, const Clock& clock, config::Redactor redactor)
    : database_(std::move(database)), clock_(clock), redactor_(std::move(redactor)) {}

Result<query::Reader*> Api::ReaderOfThisThread() {
  std::thread::id self = std::this_thread::get_id();
  {
    MutexLock lock(mu_);
    if (auto it = readers_.find(self); it != readers_.end()) return it->second.get();
  }
  if (database_ == ":memory:") return Status::Unavailable("the daemon keeps its state in memory: nothing to query");
  auto reader = query::Reader::Open(database_);
  if (!reader.ok()) {
    // Not created or not upgraded yet: the daemon is starting.
    Status::Code code = reader.status().code();
    if (code == Status::Code::kNotFound || code == Status::Code::kInvalidArgument) {
      return Status::Unavailable(reader.status().message());
    }
    return reader.status();
  }
  MutexLock lock(mu_);
  auto& slot = readers_[self];
  slot = std::make_unique<query::Reader>(std::move(*reader));
  return slot.get();
}

Reply Api::Handle(std::string_view path, const query::Params& params) {
  static constexpr std::string_view kPrefix = "/api/v1/";
  std::string_view name = path.substr(kPrefix.size());
  using Handler = Reply (*)(query::Reader&, const Params&, WallTime);
  Handler handler = nullptr;
  if (name == "series") handler = Series;
  if (name == "breakdown") handler = Breakdown;
  if (name == "mentions") handler = Mentions;
  if (name == "alerts") handler = Alerts;
  if (name == "export") handler = Export;
  if (handler == nullptr && name != "sources") {
    return ErrorReply(404,
                      "not found: the API's endpoints are /api/v1/series, /api/v1/breakdown, "
                      "/api/v1/mentions, /api/v1/export, /api/v1/alerts, /api/v1/sources");
  }
  auto reader = ReaderOfThisThread();
  if (!reader.ok()) return FromStatus(reader.status());
  if (handler == nullptr) return Sources(**reader, params, redactor_);
  return handler(**reader, params, clock_.Now());
}

Reply Api::Dashboard(const query::Params& params) {
  auto reader = ReaderOfThisThread();
  if (!reader.ok()) {
    return DashboardError(reader.status().code() == Status::Code::kUnavailable ? 503 : 500, reader.status().message());
  }
  return DashboardPage(**reader, params, clock_.Now(), redactor_);
}

}  // namespace brandmon::http
