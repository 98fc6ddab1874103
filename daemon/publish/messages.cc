#include "daemon/publish/messages.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <set>

#include "daemon/base/units.h"

namespace brandmon::publish {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string Finish(const rapidjson::StringBuffer& buf) { return std::string(buf.GetString(), buf.GetSize()); }

void Key(Writer& w, std::string_view key) { w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size())); }

void String(Writer& w, std::string_view value) {
  std::string valid = ValidUtf8(value);
  w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
}

// Parses `json` as one object. kParseStopWhenDoneFlag is not used: trailing
// bytes make the message malformed.
Result<rapidjson::Document> ParseObject(std::string_view json, std::string_view what) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (doc.HasParseError()) return Status::Corrupt(std::string(what) + " is not valid JSON");
  if (!doc.IsObject()) return Status::Corrupt(std::string(what) + " is not a JSON object");
  return doc;
}

// Reads an optional unsigned integer member; false when present with another type.
bool OptionalUint(const rapidjson::Value& obj, const char* key, uint64_t& out) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return true;
  if (!it->value.IsUint64()) return false;
  out = it->value.GetUint64();
  return true;
}

bool VersionOk(const rapidjson::Value& obj) {
  auto it = obj.FindMember("v");
  return it == obj.MemberEnd() || (it->value.IsInt() && it->value.GetInt() == 1);
}

}  // namespace

std::string MentionTopic(std::string_view brand) { return std::string(kMentionTopicPrefix) + std::string(brand); }

std::string MentionMessageJson(const ScoredMention& mention, WallTime ts) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "v");
  w.Int(1);
  Key(w, "ts");
  String(w, FormatRfc3339(ts));
  Key(w, "brand");
  String(w, mention.brand);
  Key(w, "mention");
  std::string json = ScoredMentionToJson(mention);
  w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  w.EndObject();
  return Finish(buf);
}

std::string HeartbeatJson(const Heartbeat& hb, WallTime ts) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "v");
  w.Int(1);
  Key(w, "ts");
  String(w, FormatRfc3339(ts));
  Key(w, "last_seq");
  w.Uint64(hb.last_seq);
  Key(w, "interval_ms");
  w.Int64(hb.interval_ms);
  w.EndObject();
  return Finish(buf);
}

Result<Heartbeat> ParseHeartbeat(std::string_view json) {
  auto doc = ParseObject(json, "heartbeat");
  if (!doc.ok()) return doc.status();
  Heartbeat hb;
  auto seq = doc->FindMember("last_seq");
  if (!VersionOk(*doc) || seq == doc->MemberEnd() || !seq->value.IsUint64()) {
    return Status::Corrupt("heartbeat without a v1 last_seq");
  }
  hb.last_seq = seq->value.GetUint64();
  auto interval = doc->FindMember("interval_ms");
  if (interval != doc->MemberEnd() && interval->value.IsInt64()) hb.interval_ms = interval->value.GetInt64();
  return hb;
}

Result<uint64_t> ParseAlertSeq(std::string_view json) {
  auto doc = ParseObject(json, "alert");
  if (!doc.ok()) return doc.status();
  auto seq = doc->FindMember("seq");
  if (seq == doc->MemberEnd() || !seq->value.IsUint64() || seq->value.GetUint64() == 0) {
    return Status::Corrupt("alert without a positive seq");
  }
  return seq->value.GetUint64();
}

std::string CatchupRequestJson(const CatchupRequest& request) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "v");
  w.Int(1);
  Key(w, "since");
  w.Uint64(request.since);
  Key(w, "topic");
  String(w, request.topic);
  if (request.limit > 0) {
    Key(w, "limit");
    w.Uint64(request.limit);
  }
  w.EndObject();
  return Finish(buf);
}

Result<CatchupRequest> ParseCatchupRequest(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return Status::InvalidArgument("request is not a JSON object");
  }
  // An unknown field is refused rather than ignored: a filter the server does
  // not know would otherwise be silently widened.
  std::set<std::string_view> seen;
  for (const auto& m : doc.GetObject()) {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (key != "v" && key != "since" && key != "topic" && key != "limit") {
      return Status::InvalidArgument("unknown field \"" + ValidUtf8(key.substr(0, 64)) +
                                     "\" (expected v, since, topic, limit)");
    }
    if (!seen.insert(key).second) return Status::InvalidArgument("field \"" + std::string(key) + "\" appears twice");
  }
  if (!VersionOk(doc)) return Status::InvalidArgument("unsupported version: \"v\" must be 1");
  CatchupRequest req;
  auto since = doc.FindMember("since");
  if (since == doc.MemberEnd()) return Status::InvalidArgument("missing \"since\"");
  if (!since->value.IsUint64() || since->value.GetUint64() > kMaxCatchupSeq) {
    return Status::InvalidArgument("\"since\" must be an integer from 0 to " + std::to_string(kMaxCatchupSeq));
  }
  req.since = since->value.GetUint64();
  auto topic = doc.FindMember("topic");
  if (topic != doc.MemberEnd()) {
    if (!topic->value.IsString()) return Status::InvalidArgument("\"topic\" must be a string");
    req.topic.assign(topic->value.GetString(), topic->value.GetStringLength());
    if (req.topic.size() > kMaxCatchupTopic) {
      return Status::InvalidArgument("\"topic\" must be at most " + std::to_string(kMaxCatchupTopic) + " bytes");
    }
    bool control = std::any_of(req.topic.begin(), req.topic.end(),
                               [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
    if (control || ValidUtf8(req.topic) != req.topic) {
      return Status::InvalidArgument("\"topic\" must be UTF-8 text without control characters");
    }
  }
  if (!OptionalUint(doc, "limit", req.limit) || req.limit > kMaxCatchupSeq) {
    return Status::InvalidArgument("\"limit\" must be an integer from 0 to " + std::to_string(kMaxCatchupSeq));
  }
  return req;
}

std::string CatchupEndJson(const CatchupEnd& end) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "v");
  w.Int(1);
  Key(w, "upto");
  w.Uint64(end.upto);
  Key(w, "count");
  w.Uint64(end.count);
  Key(w, "complete");
  w.Bool(end.complete);
  Key(w, "last_seq");
  w.Uint64(end.last_seq);
  w.EndObject();
  return Finish(buf);
}

Result<CatchupEnd> ParseCatchupEnd(std::string_view json) {
  auto doc = ParseObject(json, "catch-up end marker");
  if (!doc.ok()) return doc.status();
  CatchupEnd end;
  auto complete = doc->FindMember("complete");
  if (!VersionOk(*doc) || !doc->HasMember("upto") || !OptionalUint(*doc, "upto", end.upto) ||
      !OptionalUint(*doc, "count", end.count) || !OptionalUint(*doc, "last_seq", end.last_seq) ||
      complete == doc->MemberEnd() || !complete->value.IsBool()) {
    return Status::Corrupt("malformed catch-up end marker");
  }
  end.complete = complete->value.GetBool();
  return end;
}

std::string CatchupErrorJson(std::string_view message) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "v");
  w.Int(1);
  Key(w, "error");
  String(w, message);
  w.EndObject();
  return Finish(buf);
}

std::string ParseCatchupError(std::string_view json) {
  auto doc = ParseObject(json, "error");
  if (doc.ok()) {
    auto it = doc->FindMember("error");
    if (it != doc->MemberEnd() && it->value.IsString()) return it->value.GetString();
  }
  return std::string(json);
}

}  // namespace brandmon::publish
