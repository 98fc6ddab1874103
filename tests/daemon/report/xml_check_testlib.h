#pragma once

// Reading rendered SVG and HTML back for the report tests: strict XML parsing
// with libxml2, XPath counts and values over the SVG namespace, and the
// checks every chart must pass.

#include <libxml/parser.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace brandmon::report::testing {

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocFree>;

// `text` parsed as strict XML (no recovery, no network, no entities loaded);
// null when it is not well-formed, with libxml2's message in *error.
XmlDoc ParseXml(std::string_view text, std::string* error = nullptr);

// `text` parsed by libxml2's (lenient) HTML parser.
XmlDoc ParseHtml(std::string_view text);

// The string values of `xpath` in `doc`; the prefix `s:` names the SVG
// namespace.
std::vector<std::string> XPathValues(xmlDoc* doc, const std::string& xpath);
size_t XPathCount(xmlDoc* doc, const std::string& xpath);

// Every "<svg ...>...</svg>" element in `html`, as text.
std::vector<std::string> SvgElements(std::string_view html);

// Words "nan" or "inf"/"infinity" (any case, as printf writes them), or an
// empty string when there is none.
std::string FindNonFinite(std::string_view text);

// Every numeric attribute of an SVG (coordinates, sizes, data- values, path
// data) that is not a finite number, as "attr=value"; empty when all are.
std::vector<std::string> NonFiniteAttributes(xmlDoc* doc);

}  // namespace brandmon::report::testing
