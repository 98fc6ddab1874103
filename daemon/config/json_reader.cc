#include "daemon/config/json_reader.h"

#include <fcntl.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <vector>

#include "daemon/base/errno_text.h"
#include "daemon/base/units.h"

namespace brandmon::config {
namespace {

constexpr size_t kMaxDepth = 64;
constexpr size_t kMaxFileBytes = 16u << 20;

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// A NUL-terminated input stream. Unlike rapidjson::StringStream it is not
// "copy optimized", so RapidJSON advances this very object while it reads a
// string or number and Tell() is just past the token in every SAX callback.
class OffsetStream {
 public:
  using Ch = char;
  explicit OffsetStream(const char* src) : head_(src), src_(src) {}
  Ch Peek() const { return *src_; }
  Ch Take() { return *src_++; }
  size_t Tell() const { return static_cast<size_t>(src_ - head_); }
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  size_t PutEnd(Ch*) { return 0; }

 private:
  const Ch* head_;
  const Ch* src_;
};

// Maps byte offsets to 1-based line and column (in code points). A minified
// config is one long line, so counting the column from the line's start for
// every value would cost O(values x line length): the index keeps a cursor at
// the last answer and counts only the bytes between it and the next offset,
// which the parser asks for in nearly increasing order.
class LineIndex {
 public:
  LineIndex(std::string_view text, ParseStats* stats) : text_(text), stats_(stats) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(i + 1);
    }
  }
  std::pair<int, int> At(size_t offset) const {
    offset = std::min(offset, text_.size());
    auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    size_t line = static_cast<size_t>(it - starts_.begin());
    size_t start = starts_[line - 1];
    if (line != cursor_line_ || offset - start < Distance(offset)) {
      cursor_line_ = line;
      cursor_offset_ = start;
      cursor_col_ = 1;
    }
    if (offset >= cursor_offset_) {
      cursor_col_ += CodePoints(cursor_offset_, offset);
    } else {
      cursor_col_ -= CodePoints(offset, cursor_offset_);
    }
    cursor_offset_ = offset;
    return {static_cast<int>(line), static_cast<int>(cursor_col_)};
  }

 private:
  size_t Distance(size_t offset) const {
    return offset >= cursor_offset_ ? offset - cursor_offset_ : cursor_offset_ - offset;
  }
  size_t CodePoints(size_t from, size_t to) const {
    if (stats_ != nullptr) stats_->position_bytes_scanned += to - from;
    size_t n = 0;
    for (size_t i = from; i < to; ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++n;
    }
    return n;
  }

  std::string_view text_;
  ParseStats* stats_;
  std::vector<size_t> starts_;
  mutable size_t cursor_line_ = 0;
  mutable size_t cursor_offset_ = 0;
  mutable size_t cursor_col_ = 1;
};

// Builds a ConfigValue tree from RapidJSON SAX events. RapidJSON reports a
// value once it has been read, so the start of a scalar is found by scanning
// back from the stream position.
class TreeBuilder {
 public:
  TreeBuilder(std::string_view text, std::shared_ptr<const std::string> file, const OffsetStream& stream,
              ParseStats* stats)
      : text_(text), file_(std::move(file)), stream_(stream), stats_(stats), lines_(text, stats) {}

  bool Null() { return Add(ConfigValue::Null(ScalarPos())); }
  bool Bool(bool b) { return Add(ConfigValue::Bool(b, ScalarPos())); }
  bool Int(int i) { return Add(ConfigValue::Int(i, ScalarPos())); }
  bool Uint(unsigned u) { return Add(ConfigValue::Int(u, ScalarPos())); }
  bool Int64(int64_t i) { return Add(ConfigValue::Int(i, ScalarPos())); }
  bool Uint64(uint64_t u) {
    if (u > static_cast<uint64_t>(INT64_MAX)) return Add(ConfigValue::Double(static_cast<double>(u), ScalarPos()));
    return Add(ConfigValue::Int(static_cast<int64_t>(u), ScalarPos()));
  }
  bool Double(double d) { return Add(ConfigValue::Double(d, ScalarPos())); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return false; }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    return Add(ConfigValue::String(std::string(s, n), StringPos()));
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    stack_.back().key.assign(s, n);
    stack_.back().key_pos = StringPos();
    return true;
  }
  // The iterative parser calls these before taking the bracket.
  bool StartObject() { return Open(ConfigValue::Object(Pos(stream_.Tell()))); }
  bool EndObject(rapidjson::SizeType) { return Close(); }
  bool StartArray() { return Open(ConfigValue::Array(Pos(stream_.Tell()))); }
  bool EndArray(rapidjson::SizeType) { return Close(); }

  bool too_deep() const { return too_deep_; }
  ConfigValue TakeRoot() { return std::move(root_); }
  SourcePos Pos(size_t offset) const {
    auto [line, col] = lines_.At(offset);
    return SourcePos{file_, line, col};
  }

 private:
  struct Frame {
    ConfigValue value;
    std::string key;
    SourcePos key_pos;
  };

  SourcePos ScalarPos() const {
    size_t end = stream_.Tell();
    size_t i = end;
    while (i > 0 && (std::isalnum(static_cast<unsigned char>(text_[i - 1])) || text_[i - 1] == '.' ||
                     text_[i - 1] == '+' || text_[i - 1] == '-')) {
      --i;
    }
    Count(end - i);
    return Pos(i);
  }

  // The opening quote is the nearest quote before the closing one that is not
  // escaped by an odd run of backslashes.
  SourcePos StringPos() const {
    size_t close = stream_.Tell() - 1;
    size_t i = close;
    while (i > 0) {
      --i;
      if (text_[i] != '"') continue;
      size_t slashes = 0;
      while (i > slashes && text_[i - 1 - slashes] == '\\') ++slashes;
      if (slashes % 2 == 0) break;
    }
    Count(close - i);
    return Pos(i);
  }

  void Count(size_t bytes) const {
    if (stats_ != nullptr) stats_->position_bytes_scanned += bytes;
  }

  bool Add(ConfigValue v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    Frame& top = stack_.back();
    if (top.value.is_array()) {
      top.value.mutable_items().push_back(std::move(v));
    } else {
      top.value.mutable_members().push_back({std::move(top.key), top.key_pos, std::move(v)});
    }
    return true;
  }

  bool Open(ConfigValue v) {
    if (stack_.size() >= kMaxDepth) {
      too_deep_ = true;
      return false;
    }
    stack_.push_back({std::move(v), {}, {}});
    return true;
  }

  bool Close() {
    ConfigValue v = std::move(stack_.back().value);
    stack_.pop_back();
    return Add(std::move(v));
  }

  std::string_view text_;
  std::shared_ptr<const std::string> file_;
  const OffsetStream& stream_;
  ParseStats* stats_;
  LineIndex lines_;
  std::vector<Frame> stack_;
  ConfigValue root_;
  bool too_deep_ = false;
};

// The first ill-formed UTF-8 sequence of `s` (RFC 3629: no overlong forms,
// surrogates or code points above U+10FFFF) as {offset, length of its
// maximal valid prefix plus the byte that breaks it}; {npos, 0} when none.
std::pair<size_t, size_t> FindInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t need = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return {i, 1};
    }
    for (size_t j = 1; j <= need; ++j) {
      if (i + j >= s.size()) return {i, j};
      auto d = static_cast<unsigned char>(s[i + j]);
      if (d < (j == 1 ? lo : 0x80) || d > (j == 1 ? hi : 0xBF)) return {i, j + 1};
    }
    i += need + 1;
  }
  return {std::string_view::npos, 0};
}

std::string EscapeBytes(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string TooLarge(const std::string& path, size_t max_bytes) {
  std::string size = FormatSize(max_bytes);
  if (std::isdigit(static_cast<unsigned char>(size.back()))) size += " bytes";
  return path + ": larger than " + size;
}

std::string FileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a file";
}

}  // namespace

Result<ConfigValue> ParseConfigText(std::string_view text, const std::string& file_name, ParseStats* stats) {
  auto file = std::make_shared<const std::string>(file_name);
  // RapidJSON needs a NUL-terminated buffer; a NUL inside the text is itself an error.
  std::string buffer(text);
  OffsetStream stream(buffer.c_str());
  TreeBuilder builder(buffer, file, stream, stats);
  // Checked before parsing, so that no string with broken UTF-8 reaches an
  // error message or a log; comments are held to the same rule.
  if (auto [at, length] = FindInvalidUtf8(text); at != std::string_view::npos) {
    return Status::InvalidArgument(builder.Pos(at).ToString() + ": invalid UTF-8 (" +
                                   EscapeBytes(text.substr(at, length)) + "); a config file must be UTF-8");
  }
  rapidjson::Reader reader;
  constexpr unsigned kFlags = rapidjson::kParseCommentsFlag | rapidjson::kParseTrailingCommasFlag |
                              rapidjson::kParseIterativeFlag | rapidjson::kParseNanAndInfFlag;
  rapidjson::ParseResult ok = reader.Parse<kFlags>(stream, builder);
  if (!ok) {
    std::string what = builder.too_deep() ? "nesting deeper than " + std::to_string(kMaxDepth) + " levels"
                                          : rapidjson::GetParseError_En(ok.Code());
    if (!what.empty()) what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
    if (!what.empty() && what.back() == '.') what.pop_back();
    return Status::InvalidArgument(builder.Pos(ok.Offset()).ToString() + ": " + what);
  }
  if (buffer.size() != std::strlen(buffer.c_str())) {
    return Status::InvalidArgument(builder.Pos(std::strlen(buffer.c_str())).ToString() + ": NUL byte in config text");
  }
  return builder.TakeRoot();
}

Result<std::string> ReadRegularFile(const std::string& path, size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO without a writer would otherwise block here,
  // before fstat could tell what it is.
  Fd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return Status::NotFound(path + ": cannot open: " + ErrnoText(errno));
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return Status::Unavailable(path + ": cannot stat: " + ErrnoText(errno));
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(path + ": not a regular file (" + FileKind(st.st_mode) + ")");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return Status::InvalidArgument(TooLarge(path, max_bytes));
  }
  std::string text;
  char chunk[65536];
  for (;;) {
    ssize_t n = read(fd.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Unavailable(path + ": read error: " + ErrnoText(errno));
    if (n == 0) break;
    text.append(chunk, static_cast<size_t>(n));
    // The file may grow while it is read.
    if (text.size() > max_bytes) return Status::InvalidArgument(TooLarge(path, max_bytes));
  }
  return text;
}

Result<ConfigValue> ParseConfigFile(const std::string& path) {
  auto text = ReadRegularFile(path, kMaxFileBytes);
  if (!text.ok()) return text.status();
  return ParseConfigText(*text, path);
}

}  // namespace brandmon::config
