#include "daemon/config/json_reader.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace brandmon::config {
namespace {

constexpr size_t kMaxDepth = 64;
constexpr size_t kMaxFileBytes = 16u << 20;

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

// Maps byte offsets to 1-based line and column (in code points).
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) : text_(text) {
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
    int col = 1;
    for (size_t i = start; i < offset; ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++col;
    }
    return {static_cast<int>(line), col};
  }

 private:
  std::string_view text_;
  std::vector<size_t> starts_;
};

// Builds a ConfigValue tree from RapidJSON SAX events. RapidJSON reports a
// value once it has been read, so the start of a scalar is found by scanning
// back from the stream position.
class TreeBuilder {
 public:
  TreeBuilder(std::string_view text, std::shared_ptr<const std::string> file, const OffsetStream& stream)
      : text_(text), file_(std::move(file)), stream_(stream), lines_(text) {}

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
    return Pos(i);
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
  LineIndex lines_;
  std::vector<Frame> stack_;
  ConfigValue root_;
  bool too_deep_ = false;
};

}  // namespace

Result<ConfigValue> ParseConfigText(std::string_view text, const std::string& file_name) {
  auto file = std::make_shared<const std::string>(file_name);
  // RapidJSON needs a NUL-terminated buffer; a NUL inside the text is itself an error.
  std::string buffer(text);
  OffsetStream stream(buffer.c_str());
  TreeBuilder builder(buffer, file, stream);
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

Result<ConfigValue> ParseConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open: " + std::strerror(errno));
  std::string text;
  char chunk[65536];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes) {
      return Status::InvalidArgument(path + ": config file larger than 16MiB");
    }
  }
  if (in.bad()) return Status::Unavailable(path + ": read error");
  return ParseConfigText(text, path);
}

}  // namespace brandmon::config
