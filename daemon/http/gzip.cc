#include "daemon/http/gzip.h"

#include <libdeflate.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace brandmon::http {

bool AcceptsGzip(std::string_view accept_encoding) {
  std::string_view rest = accept_encoding;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    size_t semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
    if (coding != "gzip" && coding != "x-gzip" && coding != "*") continue;
    if (semi == std::string_view::npos) return true;
    std::string_view params = item.substr(semi + 1);
    size_t q = params.find("q=");
    if (q == std::string_view::npos) return true;
    // "q=0" (or 0.0...) refuses it.
    std::string value(params.substr(q + 2, 5));
    return std::strtod(value.c_str(), nullptr) > 0;
  }
  return false;
}

bool Compressible(std::string_view content_type) {
  return content_type.starts_with("text/") || content_type.starts_with("application/json") ||
         content_type.starts_with("application/javascript") || content_type.starts_with("image/svg+xml");
}

std::optional<std::string> GzipFast(std::string_view body) {
  struct Free {
    void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
  };
  // One compressor per thread (its tables are reset by every call), made on
  // its first answer.
  thread_local std::unique_ptr<libdeflate_compressor, Free> compressor(libdeflate_alloc_compressor(1));
  if (!compressor) return std::nullopt;
  std::string out(libdeflate_gzip_compress_bound(compressor.get(), body.size()), '\0');
  size_t written = libdeflate_gzip_compress(compressor.get(), body.data(), body.size(), out.data(), out.size());
  if (written == 0) return std::nullopt;
  out.resize(written);
  return out;
}

}  // namespace brandmon::http
