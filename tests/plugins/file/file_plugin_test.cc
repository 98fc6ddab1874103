#include "plugins/file/file_plugin.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "daemon/plugin/registry.h"
#include "tests/support/test_util.h"

namespace brandmon::plugin {
namespace {

class Recorder final : public Sink {
 public:
  void Emit(Mention m) override {
    ids.push_back(m.id);
    channels.push_back(m.channel);
    last = std::move(m);
  }
  void Warn(std::string message) override { warnings.push_back(std::move(message)); }
  std::vector<std::string> ids;
  std::vector<std::string> warnings;
  std::vector<std::string> channels;
  Mention last;
};

std::string Line(const std::string& id) { return R"({"id":")" + id + R"(","text":"t )" + id + "\"}\n"; }

void Append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::app) << text;
}

class FilePluginTest : public ::testing::Test {
 protected:
  FilePlugin Make(const std::string& pattern, const std::string& format = "auto", const std::string& channel = "",
                  uint64_t max_read = 0) {
    FileOptions o;
    config::ApplyDefaults(FileOptionTable(), o);
    o.path = pattern;
    o.format = format;
    if (max_read > 0) o.max_read = max_read;
    FilePlugin p(o);
    PluginContext ctx;
    ctx.source_name = "spool";
    ctx.channel = channel;
    EXPECT_TRUE(p.Start(ctx).ok());
    return p;
  }
  Recorder Poll(FilePlugin& p) {
    Recorder r;
    Status s = p.Poll(r, state_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }
  brandmon::testing::TempDir dir_;
  SourceState state_;
};

TEST_F(FilePluginTest, AppendedLinesAreReadExactlyOnce) {
  std::string path = dir_.Write("in.jsonl", Line("a") + Line("b"));
  FilePlugin p = Make(path);
  EXPECT_EQ(Poll(p).ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(Poll(p).ids.empty());
  Append(path, Line("c"));
  Recorder r = Poll(p);
  EXPECT_EQ(r.ids, (std::vector<std::string>{"c"}));
  EXPECT_EQ(r.last.source, "spool");  // filled in when the line names none
  EXPECT_EQ(r.last.channel, "file");
}

TEST_F(FilePluginTest, StateSurvivesANewPluginInstance) {
  std::string path = dir_.Write("in.jsonl", Line("a"));
  {
    FilePlugin p = Make(path);
    EXPECT_EQ(Poll(p).ids.size(), 1u);
  }
  Append(path, Line("b"));
  FilePlugin again = Make(path);  // e.g. after a daemon restart, with the persisted state
  EXPECT_EQ(Poll(again).ids, (std::vector<std::string>{"b"}));
}

TEST_F(FilePluginTest, PartialLastLineWaitsForItsNewline) {
  std::string path = dir_.Write("in.jsonl", Line("a") + R"({"id":"b","te)");
  FilePlugin p = Make(path);
  Recorder first = Poll(p);
  EXPECT_EQ(first.ids, (std::vector<std::string>{"a"}));
  EXPECT_TRUE(first.warnings.empty());
  Append(path, "xt\":\"done\"}\n");
  EXPECT_EQ(Poll(p).ids, (std::vector<std::string>{"b"}));
}

TEST_F(FilePluginTest, TruncationAndRotationStartOver) {
  std::string path = dir_.Write("in.jsonl", Line("a") + Line("b"));
  FilePlugin p = Make(path);
  EXPECT_EQ(Poll(p).ids.size(), 2u);
  // copytruncate-style: same file, now shorter.
  std::ofstream(path, std::ios::binary | std::ios::trunc) << Line("c");
  Recorder r = Poll(p);
  EXPECT_EQ(r.ids, (std::vector<std::string>{"c"}));
  EXPECT_FALSE(r.warnings.empty());
  // rename-style: a new file (new inode) under the same name.
  std::filesystem::rename(path, path + ".1");
  dir_.Write("in.jsonl", Line("d") + Line("e") + Line("f"));
  r = Poll(p);
  EXPECT_EQ(r.ids, (std::vector<std::string>{"d", "e", "f"}));
  EXPECT_NE(r.warnings.at(0).find("replaced"), std::string::npos);
}

TEST_F(FilePluginTest, GlobReadsEveryMatchingFile) {
  dir_.Write("a.jsonl", Line("a1"));
  dir_.Write("b.jsonl", Line("b1") + Line("b2"));
  dir_.Write("ignored.txt", "not matched");
  FilePlugin p = Make((dir_.path() / "*.jsonl").string());
  EXPECT_EQ(Poll(p).ids, (std::vector<std::string>{"a1", "b1", "b2"}));
  dir_.Write("c.jsonl", Line("c1"));
  Append((dir_.path() / "a.jsonl").string(), Line("a2"));
  EXPECT_EQ(Poll(p).ids, (std::vector<std::string>{"a2", "c1"}));
}

TEST_F(FilePluginTest, BadLinesAreSkippedAndCounted) {
  std::string path = dir_.Write("in.jsonl", Line("a") + "not json\n\n" + R"({"id": 5})" + "\n" + Line("b"));
  FilePlugin p = Make(path);
  Recorder r = Poll(p);
  EXPECT_EQ(r.ids, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_NE(r.warnings[0].find(":2:"), std::string::npos) << r.warnings[0];  // names the line
  EXPECT_EQ(state_["bad_lines"], "2");
}

TEST_F(FilePluginTest, FeedFilesAreParsedWhenTheyChange) {
  std::string feed = "<rss><channel><item><guid>f1</guid><title>x</title></item></channel></rss>";
  std::string path = dir_.Write("news.xml", feed);
  FilePlugin p = Make(path);
  EXPECT_EQ(Poll(p).ids, (std::vector<std::string>{"f1"}));
  EXPECT_TRUE(Poll(p).ids.empty());  // unchanged
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      << "<rss><channel><item><guid>f1</guid></item><item><guid>f2</guid></item></channel></rss>";
  EXPECT_EQ(Poll(p).ids, (std::vector<std::string>{"f1", "f2"}));  // the store drops f1 as already seen
}

// The source's `channel` option names the channel of JSON Lines items that
// name none and of every feed item.
TEST_F(FilePluginTest, TheSourcesChannelIsPutOnItsMentions) {
  std::string lines = dir_.Write("in.jsonl", Line("a") + R"({"id":"b","text":"t","channel":"own"})" + "\n");
  FilePlugin p = Make(lines, "auto", "reviews");
  EXPECT_EQ(Poll(p).channels, (std::vector<std::string>{"reviews", "own"}));
  std::string feed = dir_.Write("news.xml", "<rss><channel><item><guid>f1</guid></item></channel></rss>");
  FilePlugin q = Make(feed, "auto", "press");
  EXPECT_EQ(Poll(q).last.channel, "press");
}

// A line longer than max_read is dropped, up to its end, however many polls
// that takes (also across a new plugin instance); each poll ends, the lines
// after it are read, and it is warned about once.
TEST_F(FilePluginTest, ALineLongerThanMaxReadIsSkippedAndTheRestRead) {
  std::string long_line = R"({"id":"x","text":")" + std::string(10000, 'a') + "\"}\n";
  std::string path = dir_.Write("in.jsonl", long_line + Line("b"));
  std::vector<std::string> ids, warnings;
  for (int poll = 0; poll < 4; ++poll) {
    FilePlugin p = Make(path, "auto", "", 4096);
    Recorder r = Poll(p);
    ids.insert(ids.end(), r.ids.begin(), r.ids.end());
    warnings.insert(warnings.end(), r.warnings.begin(), r.warnings.end());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"b"}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("line 1 is longer than max_read"), std::string::npos) << warnings[0];
  Append(path, Line("c"));
  FilePlugin p = Make(path, "auto", "", 4096);
  Recorder r = Poll(p);
  EXPECT_EQ(r.ids, (std::vector<std::string>{"c"}));
  EXPECT_TRUE(r.warnings.empty());
}

TEST_F(FilePluginTest, BrokenFeedFileIsAWarning) {
  std::string path = dir_.Write("bad.xml", "\x01\x02 garbage");
  FilePlugin p = Make(path);
  Recorder r = Poll(p);
  EXPECT_TRUE(r.ids.empty());
  EXPECT_FALSE(r.warnings.empty());
}

TEST_F(FilePluginTest, NothingMatchingIsNotFound) {
  FilePlugin p = Make((dir_.path() / "none-*.jsonl").string());
  Recorder r;
  EXPECT_EQ(p.Poll(r, state_).code(), Status::Code::kNotFound);
}

TEST_F(FilePluginTest, RegistersAsAPollPlugin) {
  Registry registry;
  RegisterPlugin_file(registry);
  const PluginInfo* info = registry.Find("file");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->kind, PluginInfo::Kind::kPoll);
  for (const auto& o : info->options) EXPECT_FALSE(o.doc.empty()) << o.key;
}

}  // namespace
}  // namespace brandmon::plugin
