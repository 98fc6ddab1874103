#pragma once

#include <cstdint>
#include <string>

#include "daemon/config/options.h"
#include "daemon/plugin/plugin.h"

namespace brandmon::plugin {

// Options of a `file` source.
struct FileOptions {
  std::string path;
  std::string format;
  uint64_t max_read = 16 * 1024 * 1024;
};

const config::OptionTable<FileOptions>& FileOptionTable();

// The `file` source: reads the files matching a path or glob on each poll.
// JSON Lines files (one Mention JSON per line) are followed like `tail -F`:
// the state keeps each file's inode, read offset and line number, so
// appended lines are read exactly once, a partial last line waits for its
// newline, and a truncated or replaced file is read again from the start.
// Feed files (RSS, Atom, RDF, JSON Feed) are parsed whole whenever their
// size or modification time changes. A bad line is a warning, never a stop.
// Polled on one of the scheduler's poll workers, one poll at a time.
class FilePlugin final : public PollPlugin {
 public:
  explicit FilePlugin(FileOptions options) : options_(std::move(options)) {}

  Status Start(PluginContext& ctx) override;
  // Errors: NotFound when nothing matches the path; the other per-file
  // problems are warnings.
  Status Poll(Sink& sink, SourceState& state) override;

 private:
  enum class Kind { kJsonLines, kFeed };
  Kind KindOf(const std::string& path) const;
  void ReadJsonLines(const std::string& path, Sink& sink, SourceState& state);
  void ReadFeed(const std::string& path, Sink& sink, SourceState& state);

  FileOptions options_;
  std::string source_name_;
  std::string channel_;  // the source's channel option; empty for the default
};

class Registry;
// Adds the `file` plugin to `registry` (called from the generated plugin list).
void RegisterPlugin_file(Registry& registry);

}  // namespace brandmon::plugin
