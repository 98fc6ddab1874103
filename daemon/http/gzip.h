#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace brandmon::http {

// The listener compresses its answers itself, with libdeflate at its fastest
// level: a /metrics page of a thousand sources is megabytes, which zlib's
// default level took tens of milliseconds to compress on every scrape and
// its fastest level 6 to 7 ms, about twice libdeflate's, for a few percent
// smaller.

// Whether an Accept-Encoding header value takes gzip (a q of 0 refuses it).
bool AcceptsGzip(std::string_view accept_encoding);

// Whether a body of `content_type` gains from compression: text, JSON,
// JavaScript and SVG.
bool Compressible(std::string_view content_type);

// `body` as one gzip member (RFC 1952) at level 1; nullopt when the
// compressor cannot be made.
std::optional<std::string> GzipFast(std::string_view body);

}  // namespace brandmon::http
