#include "daemon/feedparse/feed_encoding.h"

#include <errno.h>
#include <iconv.h>

#include <cstdint>
#include <cstring>

#include "daemon/feedparse/feed_text.h"

namespace brandmon::feedparse {
namespace {

constexpr char32_t kCp1252[32] = {0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
                                  0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

char32_t Cp1252(unsigned char c) {
  if (c >= 0x80 && c < 0xA0) return kCp1252[c - 0x80];
  return c;
}

// Move-only owner of an iconv descriptor.
class Iconv {
 public:
  Iconv(const char* to, const char* from) : cd_(iconv_open(to, from)) {}
  ~Iconv() {
    if (ok()) iconv_close(cd_);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

enum class Family { kUtf8, kCp1252, kUtf16Le, kUtf16Be, kOther, kUnknown };

Family Classify(const std::string& enc) {
  if (enc == "utf-8" || enc == "utf8" || enc == "unicode-1-1-utf-8") return Family::kUtf8;
  if (enc == "iso-8859-1" || enc == "iso8859-1" || enc == "latin1" || enc == "latin-1" || enc == "l1" ||
      enc == "windows-1252" || enc == "cp1252" || enc == "us-ascii" || enc == "ascii" || enc == "x-cp1252" ||
      enc == "iso_8859-1" || enc == "cp819" || enc == "ibm819") {
    return Family::kCp1252;
  }
  if (enc == "utf-16le") return Family::kUtf16Le;
  if (enc == "utf-16be" || enc == "utf-16" || enc == "unicode") return Family::kUtf16Be;
  if (enc.empty()) return Family::kUnknown;
  Iconv probe("UTF-8", enc.c_str());
  return probe.ok() ? Family::kOther : Family::kUnknown;
}

// Length of the valid UTF-8 sequence at p, or 0.
size_t Utf8SequenceLength(const unsigned char* p, const unsigned char* end) {
  unsigned char c = p[0];
  size_t rest = static_cast<size_t>(end - p);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return rest >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (rest < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;   // overlong
    if (c == 0xED && p[1] >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (rest < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
    if (c == 0xF0 && p[1] < 0x90) return 0;
    if (c == 0xF4 && p[1] >= 0x90) return 0;
    return 4;
  }
  return 0;
}

bool IsBadControl(unsigned char c) { return c < 0x20 && c != '\t' && c != '\n' && c != '\r'; }

// Offset of the first byte that needs repair (invalid UTF-8 or a control
// character), or npos.
size_t FirstUtf8Fault(std::string_view s) {
  const auto* begin = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* p = begin;
  const unsigned char* end = p + s.size();
  while (p < end) {
    // Eight ASCII bytes at a time: none with the high bit, none below 0x20.
    if (end - p >= 8) {
      uint64_t v;
      std::memcpy(&v, p, 8);
      constexpr uint64_t kHigh = 0x8080808080808080ULL;
      constexpr uint64_t kOnes = 0x0101010101010101ULL;
      uint64_t below_space = (v - kOnes * 0x20) & ~v & kHigh;
      if (((v & kHigh) | below_space) == 0) {
        p += 8;
        continue;
      }
    }
    if (*p < 0x80) {
      if (IsBadControl(*p)) return static_cast<size_t>(p - begin);
      ++p;
      continue;
    }
    size_t len = Utf8SequenceLength(p, end);
    if (len == 0) return static_cast<size_t>(p - begin);
    p += len;
  }
  return std::string_view::npos;
}

// Copies `s` to `out`, repairing from `start` on. Returns the number of bytes
// read as windows-1252.
size_t RepairUtf8(std::string_view s, size_t start, std::string& out, size_t& controls) {
  out.reserve(s.size() + s.size() / 8);
  out.append(s.substr(0, start));
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + start;
  const auto* end = reinterpret_cast<const unsigned char*>(s.data()) + s.size();
  size_t repaired = 0;
  while (p < end) {
    if (*p < 0x80) {
      if (IsBadControl(*p)) {
        out.push_back(' ');
        ++controls;
      } else {
        out.push_back(static_cast<char>(*p));
      }
      ++p;
      continue;
    }
    size_t len = Utf8SequenceLength(p, end);
    if (len == 0) {
      AppendUtf8(Cp1252(*p), out);
      ++repaired;
      ++p;
    } else {
      out.append(reinterpret_cast<const char*>(p), len);
      p += len;
    }
  }
  return repaired;
}

void FromCp1252(std::string_view s, std::string& out, size_t& controls) {
  out.reserve(s.size() + s.size() / 4);
  for (unsigned char c : s) {
    if (c < 0x80) {
      if (IsBadControl(c)) {
        ++controls;
        c = ' ';
      }
      out.push_back(static_cast<char>(c));
    } else {
      AppendUtf8(Cp1252(c), out);
    }
  }
}

// Converts with iconv; undecodable bytes become U+FFFD. Returns their count.
size_t FromIconv(std::string_view s, const char* from, std::string& out) {
  Iconv cd("UTF-8", from);
  if (!cd.ok()) return s.size();
  size_t bad = 0;
  out.resize(s.size() * 2 + 16);
  char* in = const_cast<char*>(s.data());
  size_t in_left = s.size();
  size_t written = 0;
  while (in_left > 0) {
    char* dst = out.data() + written;
    size_t dst_left = out.size() - written;
    size_t r = iconv(cd.get(), &in, &in_left, &dst, &dst_left);
    written = out.size() - dst_left;
    if (r != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
    } else {
      // EILSEQ or EINVAL (truncated input): skip one byte (two for UTF-16).
      size_t skip = std::strncmp(from, "UTF-16", 6) == 0 && in_left >= 2 ? 2 : 1;
      in += skip;
      in_left -= skip;
      out.resize(written);
      AppendUtf8(0xFFFD, out);
      written = out.size();
      out.resize(written + in_left * 2 + 16);
      ++bad;
    }
  }
  out.resize(written);
  return bad;
}

bool LooksUtf16Le(std::string_view s) { return s.size() >= 4 && s[0] == '<' && s[1] == '\0' && s[3] == '\0'; }
bool LooksUtf16Be(std::string_view s) { return s.size() >= 4 && s[0] == '\0' && s[1] == '<' && s[2] == '\0'; }

std::string_view StripLeadingSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  // A second BOM after the converted one, or one after whitespace.
  if (s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF") return StripLeadingSpace(s.substr(3));
  return s;
}

// The iconv name of an encoding ChooseEncoding picked.
std::string IconvName(const std::string& encoding) {
  if (encoding == "utf-16le") return "UTF-16LE";
  if (encoding == "utf-16be") return "UTF-16BE";
  return encoding;
}

}  // namespace

std::string DeclaredEncoding(std::string_view bytes) {
  if (bytes.substr(0, 5) != "<?xml") return "";
  size_t end = bytes.find("?>");
  std::string_view decl = bytes.substr(0, end == std::string_view::npos ? std::min<size_t>(bytes.size(), 200) : end);
  size_t pos = decl.find("encoding");
  if (pos == std::string_view::npos) return "";
  pos = decl.find_first_of("\"'", pos);
  if (pos == std::string_view::npos) return "";
  char quote = decl[pos];
  size_t close = decl.find(quote, pos + 1);
  if (close == std::string_view::npos) return "";
  return Lowercase(decl.substr(pos + 1, close - pos - 1));
}

EncodingChoice ChooseEncoding(std::string_view bytes, std::string_view http_charset,
                              std::vector<std::string>& warnings) {
  EncodingChoice choice;
  std::string chosen;
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    choice.bom = 3;
    chosen = "utf-8";
  } else if (bytes.substr(0, 2) == "\xFF\xFE") {
    choice.bom = 2;
    chosen = "utf-16le";
  } else if (bytes.substr(0, 2) == "\xFE\xFF") {
    choice.bom = 2;
    chosen = "utf-16be";
  }
  bytes.remove_prefix(choice.bom);
  std::string http = Lowercase(http_charset);
  bool utf16_bytes = LooksUtf16Le(bytes) || LooksUtf16Be(bytes);
  std::string declared = utf16_bytes ? "" : DeclaredEncoding(StripLeadingSpace(bytes));
  if (chosen.empty() && !http.empty()) {
    Family f = Classify(http);
    if (f == Family::kUnknown) {
      warnings.push_back("unknown http charset '" + http + "' ignored");
    } else if ((f == Family::kUtf16Le || f == Family::kUtf16Be) && !utf16_bytes) {
      warnings.push_back("http charset '" + http + "' contradicts the document bytes; ignored");
    } else if (f == Family::kUtf8 && !declared.empty() && Classify(declared) != Family::kUtf8 &&
               FirstUtf8Fault(bytes) != std::string_view::npos) {
      warnings.push_back("http charset 'utf-8' does not fit the bytes; using the declared encoding '" + declared + "'");
      chosen = declared;
    } else {
      if (!declared.empty() && Classify(declared) != f) {
        warnings.push_back("http charset '" + http + "' overrides the declared encoding '" + declared + "'");
      }
      chosen = http;
    }
  }
  if (chosen.empty() && !declared.empty()) {
    if (Classify(declared) == Family::kUnknown) {
      warnings.push_back("unknown declared encoding '" + declared + "'; reading as utf-8");
    } else {
      chosen = declared;
    }
  }
  if (chosen.empty()) chosen = LooksUtf16Le(bytes) ? "utf-16le" : LooksUtf16Be(bytes) ? "utf-16be" : "utf-8";
  switch (Classify(chosen)) {
    case Family::kUtf8:
    case Family::kUnknown: choice.encoding = "utf-8"; break;
    case Family::kCp1252: choice.encoding = "windows-1252"; break;
    case Family::kUtf16Le: choice.encoding = "utf-16le"; break;
    case Family::kUtf16Be: choice.encoding = "utf-16be"; break;
    case Family::kOther: choice.encoding = Lowercase(chosen); break;
  }
  return choice;
}

Utf8Document ToUtf8(std::string_view bytes, std::string_view http_charset, std::vector<std::string>& warnings) {
  Utf8Document doc;
  EncodingChoice choice = ChooseEncoding(bytes, http_charset, warnings);
  bytes.remove_prefix(choice.bom);
  doc.encoding = choice.encoding;
  size_t controls = 0;
  switch (Classify(choice.encoding)) {
    case Family::kUtf8:
    case Family::kUnknown: {
      size_t fault = FirstUtf8Fault(bytes);
      if (fault == std::string_view::npos) {
        doc.text = StripLeadingSpace(bytes);
        return doc;
      }
      size_t repaired = RepairUtf8(bytes, fault, doc.storage, controls);
      if (repaired > 0) {
        warnings.push_back("invalid utf-8 at byte " + std::to_string(fault) + ": " + std::to_string(repaired) +
                           " byte(s) read as windows-1252");
      }
      break;
    }
    case Family::kCp1252: FromCp1252(bytes, doc.storage, controls); break;
    case Family::kUtf16Le:
    case Family::kUtf16Be:
    case Family::kOther: {
      std::string from = IconvName(choice.encoding);
      std::string converted;
      size_t bad = FromIconv(bytes, from.c_str(), converted);
      if (bad > 0) warnings.push_back(std::to_string(bad) + " undecodable sequence(s) in " + doc.encoding);
      size_t fault = FirstUtf8Fault(converted);
      if (fault == std::string_view::npos) {
        doc.storage = std::move(converted);
      } else {
        RepairUtf8(converted, fault, doc.storage, controls);
      }
      break;
    }
  }
  if (controls > 0) warnings.push_back(std::to_string(controls) + " control character(s) replaced by spaces");
  doc.text = StripLeadingSpace(doc.storage);
  return doc;
}

struct Utf8Stream::Converter {
  explicit Converter(const std::string& from) : cd("UTF-8", from.c_str()) {}
  Iconv cd;
};

Utf8Stream::Utf8Stream(std::string encoding) : encoding_(std::move(encoding)) {
  Family f = Classify(encoding_);
  if (f == Family::kUtf16Le || f == Family::kUtf16Be || f == Family::kOther) {
    converter_ = std::make_unique<Converter>(IconvName(encoding_));
    utf16_ = f != Family::kOther;
  }
  cp1252_ = f == Family::kCp1252;
}

Utf8Stream::~Utf8Stream() = default;

void Utf8Stream::Convert(std::string_view bytes, bool last, std::string& out) {
  std::string joined;
  if (!pending_.empty()) {
    joined = pending_ + std::string(bytes);
    bytes = joined;
    pending_.clear();
  }
  if (cp1252_) {
    FromCp1252(bytes, out, controls_);
    return;
  }
  std::string converted;
  std::string_view utf8 = bytes;
  if (converter_) {
    utf8 = converted = Iconvert(bytes, last);
  } else if (!last) {
    // An incomplete sequence at the end waits for the rest of it.
    size_t keep = 0;
    for (size_t k = 1; k <= 3 && k <= utf8.size(); ++k) {
      auto c = static_cast<unsigned char>(utf8[utf8.size() - k]);
      if ((c & 0xC0) == 0x80) continue;
      size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      if (need > k) keep = k;
      break;
    }
    pending_.assign(utf8.substr(utf8.size() - keep));
    utf8.remove_suffix(keep);
  }
  size_t fault = FirstUtf8Fault(utf8);
  if (fault == std::string_view::npos) {
    out.append(utf8);
  } else {
    std::string repaired;
    size_t n = RepairUtf8(utf8, fault, repaired, controls_);
    if (n > 0 && repaired_ == 0) first_fault_ = read_ + fault;
    repaired_ += n;
    out.append(repaired);
  }
  read_ += utf8.size();
}

std::string Utf8Stream::Iconvert(std::string_view bytes, bool last) {
  std::string out(bytes.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  size_t written = 0;
  if (!converter_->cd.ok()) {
    undecodable_ += bytes.size();
    return {};
  }
  while (in_left > 0) {
    char* dst = out.data() + written;
    size_t dst_left = out.size() - written;
    size_t r = iconv(converter_->cd.get(), &in, &in_left, &dst, &dst_left);
    written = out.size() - dst_left;
    if (r != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
    } else if (errno == EINVAL && !last) {
      pending_.assign(in, in_left);  // the rest of this sequence comes next
      break;
    } else {
      size_t skip = utf16_ && in_left >= 2 ? 2 : 1;
      in += skip;
      in_left -= skip;
      out.resize(written);
      AppendUtf8(0xFFFD, out);
      written = out.size();
      out.resize(written + in_left * 2 + 16);
      ++undecodable_;
    }
  }
  out.resize(written);
  return out;
}

void Utf8Stream::Warnings(std::vector<std::string>& warnings) const {
  if (undecodable_ > 0) warnings.push_back(std::to_string(undecodable_) + " undecodable sequence(s) in " + encoding_);
  if (repaired_ > 0 && !converter_) {
    warnings.push_back("invalid utf-8 at byte " + std::to_string(first_fault_) + ": " + std::to_string(repaired_) +
                       " byte(s) read as windows-1252");
  }
  if (controls_ > 0) warnings.push_back(std::to_string(controls_) + " control character(s) replaced by spaces");
}

std::string_view StripLeadingSpaceAndBom(std::string_view utf8) { return StripLeadingSpace(utf8); }

}  // namespace brandmon::feedparse
