#include "daemon/base/http_message.h"

#include <cctype>

namespace brandmon {

const std::string* HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string HttpResponse::Charset() const {
  const std::string* ct = Header("content-type");
  if (ct == nullptr) return "";
  std::string lower;
  for (char c : *ct) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t pos = lower.find("charset=");
  if (pos == std::string::npos) return "";
  std::string cs = lower.substr(pos + 8);
  size_t end = cs.find_first_of("; \t");
  if (end != std::string::npos) cs.resize(end);
  if (cs.size() >= 2 && cs.front() == '"' && cs.back() == '"') cs = cs.substr(1, cs.size() - 2);
  return cs;
}

}  // namespace brandmon
