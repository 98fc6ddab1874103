#include "plugins/file/file_plugin.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

#include "daemon/base/errno_text.h"
#include "daemon/feedparse/feed_parser.h"
#include "daemon/plugin/registry.h"

namespace brandmon::plugin {
namespace {

constexpr std::string_view kLinesKey = "lines:";  // + path -> "inode:offset:line"
constexpr std::string_view kFeedKey = "feed:";    // + path -> "inode:size:mtime"
constexpr std::string_view kBadLinesKey = "bad_lines";

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Owns a glob_t result.
class GlobResult {
 public:
  GlobResult() { std::memset(&g_, 0, sizeof(g_)); }
  ~GlobResult() { globfree(&g_); }
  GlobResult(const GlobResult&) = delete;
  GlobResult& operator=(const GlobResult&) = delete;
  glob_t* get() { return &g_; }

 private:
  glob_t g_;
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Reads up to `max` bytes at `offset`. Errors: Unavailable with errno text.
Result<std::string> ReadAt(int fd, uint64_t offset, uint64_t max) {
  std::string out;
  out.resize(static_cast<size_t>(std::min<uint64_t>(max, 1 << 20)));
  size_t got = 0;
  while (got < max) {
    if (got == out.size()) out.resize(static_cast<size_t>(std::min<uint64_t>(max, out.size() * 2)));
    ssize_t n = pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(offset + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable(ErrnoText(errno));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

struct Position {
  uint64_t inode = 0;
  uint64_t offset = 0;
  uint64_t line = 0;
  // Inside a line longer than max_read, which is dropped up to its end.
  bool skipping = false;
};

// "inode:offset:line", and ":skip" while skipping.
constexpr std::string_view kSkipping = ":skip";

Position ParsePosition(const std::string* text) {
  Position p;
  if (text == nullptr) return p;
  unsigned long long a = 0, b = 0, c = 0;
  if (std::sscanf(text->c_str(), "%llu:%llu:%llu", &a, &b, &c) == 3) {
    p.inode = a;
    p.offset = b;
    p.line = c;
    p.skipping = text->ends_with(kSkipping);
  }
  return p;
}

std::string FormatPosition(const Position& p) {
  return std::to_string(p.inode) + ":" + std::to_string(p.offset) + ":" + std::to_string(p.line) +
         std::string(p.skipping ? kSkipping : "");
}

const std::string* Find(const SourceState& state, const std::string& key) {
  auto it = state.find(key);
  return it == state.end() ? nullptr : &it->second;
}

class StampingSink final : public Sink {
 public:
  StampingSink(Sink& inner, const std::string& source, const std::string& channel)
      : inner_(inner), source_(source), channel_(channel) {}
  void Emit(Mention m) override {
    if (m.source.empty()) m.source = source_;
    if (m.channel.empty()) m.channel = channel_;
    inner_.Emit(std::move(m));
  }
  void Warn(std::string message) override { inner_.Warn(std::move(message)); }

 private:
  Sink& inner_;
  const std::string& source_;
  const std::string& channel_;
};

}  // namespace

const config::OptionTable<FileOptions>& FileOptionTable() {
  using config::Enum;
  using config::Size;
  using config::Str;
  static const config::OptionTable<FileOptions> table = {
      config::Path<FileOptions>("path", config::kRequired, &FileOptions::path,
                                "File path or glob (e.g. /var/spool/brandmon/*.jsonl); relative to the config's "
                                "folder unless absolute."),
      Enum<FileOptions>("format", "auto", {"auto", "jsonl", "feed"}, &FileOptions::format,
                        "jsonl: one Mention JSON per line, read as it grows; feed: RSS/Atom/RDF/JSON Feed "
                        "files; auto: by extension (.jsonl, .ndjson, .log are jsonl)."),
      Size<FileOptions>("max_read", "16MiB", {"4KiB", "1GiB"}, &FileOptions::max_read,
                        "Bytes read from one file per poll; the rest waits for the next poll."),
  };
  return table;
}

Status FilePlugin::Start(PluginContext& ctx) {
  source_name_ = ctx.source_name;
  channel_ = ctx.channel;
  return Status::Ok();
}

FilePlugin::Kind FilePlugin::KindOf(const std::string& path) const {
  if (options_.format == "jsonl") return Kind::kJsonLines;
  if (options_.format == "feed") return Kind::kFeed;
  if (EndsWith(path, ".jsonl") || EndsWith(path, ".ndjson") || EndsWith(path, ".log")) return Kind::kJsonLines;
  return Kind::kFeed;
}

Status FilePlugin::Poll(Sink& sink, SourceState& state) {
  GlobResult g;
  int rc = glob(options_.path.c_str(), GLOB_NOCHECK | GLOB_BRACE, nullptr, g.get());
  std::vector<std::string> paths;
  if (rc == 0) {
    for (size_t i = 0; i < g.get()->gl_pathc; ++i) {
      struct stat st;
      // GLOB_NOCHECK hands back the pattern itself when nothing matched.
      if (stat(g.get()->gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode)) paths.emplace_back(g.get()->gl_pathv[i]);
    }
  }
  if (paths.empty()) return Status::NotFound("no file matches '" + options_.path + "'");
  // JSON Lines items that name no channel get the source's, else "file".
  const std::string line_channel = channel_.empty() ? "file" : channel_;
  StampingSink stamping(sink, source_name_, line_channel);
  std::set<std::string> live;
  for (const auto& path : paths) {
    if (KindOf(path) == Kind::kJsonLines) {
      live.insert(std::string(kLinesKey) + path);
      ReadJsonLines(path, stamping, state);
    } else {
      live.insert(std::string(kFeedKey) + path);
      ReadFeed(path, stamping, state);
    }
  }
  // Forget files that are gone, so a new file of the same name starts over.
  for (auto it = state.begin(); it != state.end();) {
    bool ours = it->first.rfind(kLinesKey, 0) == 0 || it->first.rfind(kFeedKey, 0) == 0;
    it = ours && live.count(it->first) == 0 ? state.erase(it) : std::next(it);
  }
  return Status::Ok();
}

void FilePlugin::ReadJsonLines(const std::string& path, Sink& sink, SourceState& state) {
  std::string key = std::string(kLinesKey) + path;
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (fd.get() < 0 || fstat(fd.get(), &st) != 0) {
    sink.Warn("cannot read '" + path + "': " + ErrnoText(errno));
    return;
  }
  Position pos = ParsePosition(Find(state, key));
  uint64_t inode = static_cast<uint64_t>(st.st_ino);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (Find(state, key) != nullptr && (pos.inode != inode || size < pos.offset)) {
    sink.Warn("'" + path + "' was " + (pos.inode != inode ? "replaced" : "truncated") + "; reading it from the start");
    pos = Position();
  }
  pos.inode = inode;
  if (size > pos.offset) {
    auto data = ReadAt(fd.get(), pos.offset, options_.max_read);
    if (!data.ok()) {
      sink.Warn("cannot read '" + path + "': " + data.status().message());
      return;
    }
    std::string_view chunk = *data;
    if (pos.skipping) {
      size_t end = chunk.find('\n');
      size_t dropped = end == std::string_view::npos ? chunk.size() : end + 1;
      pos.offset += dropped;
      chunk.remove_prefix(dropped);
      if (end != std::string_view::npos) {
        pos.skipping = false;
        ++pos.line;
      }
    }
    size_t last_newline = chunk.rfind('\n');
    if (!pos.skipping && last_newline == std::string_view::npos && chunk.size() >= options_.max_read) {
      // One line longer than a whole read: dropped up to its end, over as
      // many polls as it takes, rather than stalling the file.
      sink.Warn("'" + path + "': line " + std::to_string(pos.line + 1) + " is longer than max_read; skipped");
      pos.skipping = true;
      pos.offset += chunk.size();
    }
    if (last_newline != std::string_view::npos) {
      std::string_view complete = chunk.substr(0, last_newline + 1);
      uint64_t bad = 0;
      size_t start = 0;
      while (start < complete.size()) {
        size_t end = complete.find('\n', start);
        std::string_view line = complete.substr(start, end - start);
        start = end + 1;
        ++pos.line;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        auto mention = MentionFromJson(line);
        if (!mention.ok()) {
          ++bad;
          sink.Warn(path + ":" + std::to_string(pos.line) + ": " + mention.status().message() + "; line skipped");
          continue;
        }
        sink.Emit(std::move(mention).value());
      }
      pos.offset += complete.size();
      if (bad > 0) {
        uint64_t total = bad;
        if (const std::string* prev = Find(state, std::string(kBadLinesKey)))
          total += std::strtoull(prev->c_str(), nullptr, 10);
        state[std::string(kBadLinesKey)] = std::to_string(total);
      }
    }
  }
  state[key] = FormatPosition(pos);
}

void FilePlugin::ReadFeed(const std::string& path, Sink& sink, SourceState& state) {
  std::string key = std::string(kFeedKey) + path;
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (fd.get() < 0 || fstat(fd.get(), &st) != 0) {
    sink.Warn("cannot read '" + path + "': " + ErrnoText(errno));
    return;
  }
  std::string stamp = std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
                      std::to_string(static_cast<long long>(st.st_mtim.tv_sec)) + "." +
                      std::to_string(st.st_mtim.tv_nsec);
  if (const std::string* prev = Find(state, key); prev != nullptr && *prev == stamp) return;
  auto data = ReadAt(fd.get(), 0, options_.max_read);
  if (!data.ok()) {
    sink.Warn("cannot read '" + path + "': " + data.status().message());
    return;
  }
  feedparse::FeedParseOptions opts;
  opts.source = source_name_;
  opts.channel = channel_;
  if (Status s = feedparse::ParseFeed(*data, opts, sink); !s.ok()) {
    sink.Warn("'" + path + "': " + s.message());
  }
  state[key] = stamp;
}

void RegisterPlugin_file(Registry& registry) {
  registry.Register(MakePluginInfo<FileOptions, FilePlugin>(
      "file", "JSON Lines (one Mention per line, followed as it grows) or feed files from a path or glob",
      PluginInfo::Kind::kPoll, &FileOptionTable));
}

}  // namespace brandmon::plugin
