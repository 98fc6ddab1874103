#include "daemon/feedparse/feed_url.h"

#include <libxml/uri.h>
#include <libxml/xmlmemory.h>

#include <cctype>
#include <memory>

namespace brandmon::feedparse {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool HasScheme(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ':') return i > 0;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
  }
  return false;
}

struct XmlFree {
  void operator()(xmlChar* p) const { xmlFree(p); }
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else if (s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

std::string ResolveUrl(std::string_view base, std::string_view ref) {
  ref = Trim(ref);
  base = Trim(base);
  if (ref.empty()) return std::string(base);
  if (HasScheme(ref) || base.empty() || !HasScheme(base)) return std::string(ref);
  std::string ref_z(ref), base_z(base);
  std::unique_ptr<xmlChar, XmlFree> built(
      xmlBuildURI(reinterpret_cast<const xmlChar*>(ref_z.c_str()), reinterpret_cast<const xmlChar*>(base_z.c_str())));
  if (!built) return ref_z;
  return std::string(reinterpret_cast<const char*>(built.get()));
}

std::string UnwrapRedirect(std::string_view url) {
  constexpr std::string_view kPrefixes[] = {"https://www.google.com/url?", "http://www.google.com/url?",
                                            "https://google.com/url?"};
  bool redirector = false;
  for (auto p : kPrefixes) redirector = redirector || StartsWithNoCase(url, p);
  if (!redirector) return std::string(url);
  size_t q = url.find('?');
  std::string_view query = url.substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    if (param.substr(0, 4) == "url=" || param.substr(0, 2) == "q=") {
      std::string target = PercentDecode(param.substr(param.find('=') + 1));
      if (StartsWithNoCase(target, "http://") || StartsWithNoCase(target, "https://")) return target;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::string(url);
}

std::string_view UrlHost(std::string_view url) {
  size_t start;
  if (StartsWithNoCase(url, "https://")) {
    start = 8;
  } else if (StartsWithNoCase(url, "http://")) {
    start = 7;
  } else {
    return {};
  }
  size_t end = url.find_first_of("/?#:", start);
  std::string_view host = url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  size_t at = host.rfind('@');
  if (at != std::string_view::npos) host.remove_prefix(at + 1);
  return host;
}

std::string PercentEncode(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace brandmon::feedparse
