// JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1) into feed items.

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cstdio>

#include "daemon/feedparse/feed_item.h"

namespace brandmon::feedparse::feed_internal {
namespace {

std::string GetString(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return {};
  if (it->value.IsString()) return std::string(it->value.GetString(), it->value.GetStringLength());
  if (it->value.IsInt64()) return std::to_string(it->value.GetInt64());
  if (it->value.IsUint64()) return std::to_string(it->value.GetUint64());
  return {};
}

// JSON Feed 1.0 has "author", 1.1 "authors"; the first name wins.
std::string AuthorName(const rapidjson::Value& obj) {
  auto authors = obj.FindMember("authors");
  if (authors != obj.MemberEnd() && authors->value.IsArray()) {
    for (const auto& a : authors->value.GetArray()) {
      if (a.IsObject()) {
        std::string name = GetString(a, "name");
        if (!name.empty()) return name;
      }
    }
  }
  auto author = obj.FindMember("author");
  if (author != obj.MemberEnd() && author->value.IsObject()) return GetString(author->value, "name");
  return {};
}

void SetText(RawText& field, std::string value, TextMode mode) {
  if (value.empty()) return;
  field.raw = std::move(value);
  field.mode = mode;
  field.present = true;
}

}  // namespace

Status ReadJsonFeed(std::string_view utf8, std::vector<FeedItem>& items, FeedInfo& info) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag>(utf8.data(), utf8.size());
  if (doc.HasParseError()) {
    return Status::Corrupt("invalid json at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                           rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) return Status::Corrupt("not a json feed: the document is not an object");
  auto items_it = doc.FindMember("items");
  std::string version = GetString(doc, "version");
  if (items_it == doc.MemberEnd() || !items_it->value.IsArray()) {
    return Status::Corrupt("not a json feed: no \"items\" array");
  }
  if (version.find("jsonfeed.org") == std::string::npos) {
    return Status::Corrupt("not a json feed: \"version\" is \"" + version + "\"");
  }
  info.link = GetString(doc, "home_page_url");
  info.self_link = GetString(doc, "feed_url");
  info.author = AuthorName(doc);
  info.lang = GetString(doc, "language");
  for (const auto& entry : items_it->value.GetArray()) {
    if (!entry.IsObject()) continue;
    FeedItem item;
    item.guid = GetString(entry, "id");
    item.link = GetString(entry, "url");
    if (item.link.empty()) item.link = GetString(entry, "external_url");
    SetText(item.title, GetString(entry, "title"), TextMode::kText);
    // The author's own plain text, when given, beats text derived from HTML.
    std::string text = GetString(entry, "content_text");
    if (!text.empty()) {
      SetText(item.content, std::move(text), TextMode::kText);
    } else {
      SetText(item.content, GetString(entry, "content_html"), TextMode::kHtml);
    }
    SetText(item.summary, GetString(entry, "summary"), TextMode::kText);
    item.author = AuthorName(entry);
    item.published = GetString(entry, "date_published");
    item.updated = GetString(entry, "date_modified");
    item.lang = GetString(entry, "language");
    items.push_back(std::move(item));
  }
  return Status::Ok();
}

}  // namespace brandmon::feedparse::feed_internal
