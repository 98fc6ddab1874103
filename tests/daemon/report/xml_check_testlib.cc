#include "tests/daemon/report/xml_check_testlib.h"

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <set>

namespace brandmon::report::testing {
namespace {

void CollectError(void* ctx, const char* fmt, ...) {
  auto* out = static_cast<std::string*>(ctx);
  va_list args;
  va_start(args, fmt);
  char buf[512];
  vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  *out += buf;
}

bool IsFiniteNumber(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(v);
}

std::string Str(const xmlChar* s) { return s == nullptr ? "" : reinterpret_cast<const char*>(s); }

void CheckNode(xmlNode* node, std::vector<std::string>* bad) {
  static const std::set<std::string> kNumeric = {"x", "y", "x1", "y1", "x2", "y2", "width", "height", "cx", "cy", "r"};
  static const std::set<std::string> kText = {"data-brand", "data-key", "data-sentiment"};
  for (xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
      std::string name = Str(a->name);
      xmlChar* raw = xmlNodeGetContent(reinterpret_cast<xmlNode*>(a));
      std::string value = Str(raw);
      xmlFree(raw);
      bool numeric = kNumeric.count(name) > 0 || (name.rfind("data-", 0) == 0 && kText.count(name) == 0);
      if (name == "d" || name == "viewBox") {
        static const std::regex kToken(R"([^MLZ ,]+)");
        for (std::sregex_iterator it(value.begin(), value.end(), kToken), end; it != end; ++it) {
          if (!IsFiniteNumber(it->str())) bad->push_back(name + "=" + value);
        }
      } else if (numeric && !IsFiniteNumber(value) && !(name == "width" && value == "100%")) {
        bad->push_back(name + "=" + value);
      }
    }
    CheckNode(n->children, bad);
  }
}

}  // namespace

XmlDoc ParseXml(std::string_view text, std::string* error) {
  std::string sink;
  xmlSetGenericErrorFunc(&sink, &CollectError);
  XmlDoc doc(xmlReadMemory(text.data(), static_cast<int>(text.size()), "chart.svg", "UTF-8",
                           XML_PARSE_NONET | XML_PARSE_NOWARNING));
  xmlSetGenericErrorFunc(nullptr, nullptr);
  if (error != nullptr) *error = sink;
  return doc;
}

XmlDoc ParseHtml(std::string_view text) {
  return XmlDoc(htmlReadMemory(text.data(), static_cast<int>(text.size()), "report.html", "UTF-8",
                               HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING));
}

std::vector<std::string> XPathValues(xmlDoc* doc, const std::string& xpath) {
  std::vector<std::string> out;
  xmlXPathContext* ctx = xmlXPathNewContext(doc);
  xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
  xmlXPathObject* result = xmlXPathEvalExpression(BAD_CAST xpath.c_str(), ctx);
  if (result != nullptr && result->nodesetval != nullptr) {
    for (int i = 0; i < result->nodesetval->nodeNr; ++i) {
      xmlChar* s = xmlNodeGetContent(result->nodesetval->nodeTab[i]);
      out.push_back(Str(s));
      xmlFree(s);
    }
  }
  xmlXPathFreeObject(result);
  xmlXPathFreeContext(ctx);
  return out;
}

size_t XPathCount(xmlDoc* doc, const std::string& xpath) { return XPathValues(doc, xpath).size(); }

std::vector<std::string> SvgElements(std::string_view html) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = html.find("<svg", pos)) != std::string_view::npos) {
    size_t end = html.find("</svg>", pos);
    if (end == std::string_view::npos) break;
    out.emplace_back(html.substr(pos, end + 6 - pos));
    pos = end + 6;
  }
  return out;
}

std::string FindNonFinite(std::string_view text) {
  static const std::regex kWord(R"((^|[^A-Za-z])(nan|inf|infinity)([^A-Za-z]|$))", std::regex::icase);
  std::match_results<std::string_view::const_iterator> m;
  if (std::regex_search(text.begin(), text.end(), m, kWord)) return m.str(0);
  return "";
}

std::vector<std::string> NonFiniteAttributes(xmlDoc* doc) {
  std::vector<std::string> bad;
  CheckNode(xmlDocGetRootElement(doc), &bad);
  return bad;
}

}  // namespace brandmon::report::testing
