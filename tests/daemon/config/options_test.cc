#include "daemon/config/options.h"

#include <gtest/gtest.h>

#include "daemon/config/json_reader.h"
#include "daemon/config/loader.h"
#include "tests/support/test_util.h"

namespace brandmon::config {
namespace {

struct Feed {
  std::string url;
  std::string token;
  Duration interval{};
  int max_items = 0;
  double weight = 0;
  bool enabled = false;
  uint64_t max_body = 0;
  std::string mode;
  std::vector<std::string> tags;
  std::vector<std::string> kinds;
  std::map<std::string, std::string> headers;
  std::map<std::string, double> lexicon;
};

const OptionTable<Feed>& FeedTable() {
  static const OptionTable<Feed> t = {
      Str<Feed>("url", kRequired, &Feed::url, "Feed URL."),
      Secret<Feed>("token", &Feed::token, "API token."),
      Dur<Feed>("interval", "5m", {"30s", "24h"}, &Feed::interval, "Poll period."),
      Int<Feed>("max_items", 200, {1, 10000}, &Feed::max_items, "Items kept per poll."),
      Dbl<Feed>("weight", 1.0, {0, 10}, &Feed::weight, "Weight."),
      Bool<Feed>("enabled", true, &Feed::enabled, "On or off."),
      Size<Feed>("max_body", "10MiB", {"1KiB", "1GiB"}, &Feed::max_body, "Body cap."),
      Enum<Feed>("mode", "fast", {"fast", "slow"}, &Feed::mode, "Mode."),
      StrList<Feed>("tags", &Feed::tags, "Tags."),
      EnumList<Feed>("kinds", {"news", "blog"}, {"social", "news", "blog"}, &Feed::kinds, "Kinds."),
      StrMap<Feed>("headers", &Feed::headers, "Headers."),
      NumMap<Feed>("lexicon", {-4, 4}, &Feed::lexicon, "Lexicon."),
  };
  return t;
}

struct Outcome {
  Feed feed;
  Diagnostics diag;
};

Outcome Apply(const std::string& json) {
  Outcome o;
  auto v = ParseConfigText(json, "conf/x.json");
  EXPECT_TRUE(v.ok()) << v.status().message();
  ApplyContext ctx{o.diag};
  ApplyTable(FeedTable(), *v, "sources[3]", ctx, o.feed);
  return o;
}

TEST(OptionsTest, DefaultsFillAbsentOptions) {
  Outcome o = Apply(R"({"url": "https://example.com/feed"})");
  EXPECT_TRUE(o.diag.ok()) << o.diag.Joined();
  EXPECT_EQ(o.feed.url, "https://example.com/feed");
  EXPECT_EQ(o.feed.interval, std::chrono::minutes(5));
  EXPECT_EQ(o.feed.max_items, 200);
  EXPECT_TRUE(o.feed.enabled);
  EXPECT_EQ(o.feed.max_body, 10u << 20);
  EXPECT_EQ(o.feed.mode, "fast");
}

TEST(OptionsTest, EnumListsTakeEachChoiceOnceInAnyOrder) {
  EXPECT_EQ(Apply(R"({"url": "u"})").feed.kinds, (std::vector<std::string>{"news", "blog"}));
  Outcome given = Apply(R"({"url": "u", "kinds": ["blog", "social"]})");
  EXPECT_TRUE(given.diag.ok()) << given.diag.Joined();
  EXPECT_EQ(given.feed.kinds, (std::vector<std::string>{"blog", "social"}));
  Outcome none = Apply(R"({"url": "u", "kinds": []})");
  EXPECT_TRUE(none.diag.ok()) << none.diag.Joined();
  EXPECT_TRUE(none.feed.kinds.empty());
  Outcome bad = Apply(R"({"url": "u", "kinds": ["news", "tweets", 3, "news"]})");
  std::string errors = bad.diag.Joined();
  EXPECT_NE(errors.find("sources[3].kinds[1]: expected any of social, news, blog, got \"tweets\""), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("sources[3].kinds[2]"), std::string::npos) << errors;
  EXPECT_NE(errors.find("sources[3].kinds[3]: \"news\" is listed twice"), std::string::npos) << errors;
  EXPECT_NE(Apply(R"({"url": "u", "kinds": "news"})").diag.Joined().find("an array of strings"), std::string::npos);
  EXPECT_EQ(FeedTable()[9].info.default_text, R"(["news", "blog"])");
}

TEST(OptionsTest, ParsesEveryType) {
  Outcome o = Apply(R"({"url": "u", "token": "t0ken", "interval": "1h30m", "max_items": 5, "weight": 2.5,
    "enabled": false, "max_body": "64KiB", "mode": "slow", "tags": ["a", "b"], "headers": {"X-A": "1"},
    "lexicon": {"sick": 2}})");
  EXPECT_TRUE(o.diag.ok()) << o.diag.Joined();
  EXPECT_EQ(o.feed.interval, std::chrono::minutes(90));
  EXPECT_EQ(o.feed.max_items, 5);
  EXPECT_DOUBLE_EQ(o.feed.weight, 2.5);
  EXPECT_FALSE(o.feed.enabled);
  EXPECT_EQ(o.feed.max_body, 65536u);
  EXPECT_EQ(o.feed.mode, "slow");
  EXPECT_EQ(o.feed.tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o.feed.headers.at("X-A"), "1");
  EXPECT_DOUBLE_EQ(o.feed.lexicon.at("sick"), 2);
}

TEST(OptionsTest, BadDurationNamesFileLineColPathAndValue) {
  Outcome o = Apply("{\"url\": \"u\",\n \"interval\": \"fast\"}");
  ASSERT_EQ(o.diag.errors().size(), 1u);
  EXPECT_EQ(o.diag.errors()[0], "conf/x.json:2:14: sources[3].interval: expected a duration like \"5m\", got \"fast\"");
}

TEST(OptionsTest, UnknownKeySuggestsTheClosestOne) {
  Outcome o = Apply(R"({"url": "u", "intervall": "5m"})");
  ASSERT_EQ(o.diag.errors().size(), 1u);
  EXPECT_NE(o.diag.errors()[0].find("sources[3].intervall: unknown option 'intervall' (did you mean 'interval'?)"),
            std::string::npos)
      << o.diag.errors()[0];
}

TEST(OptionsTest, UnknownKeyWithNothingCloseListsValidKeys) {
  Outcome o = Apply(R"({"url": "u", "zzzzzzzz": 1})");
  ASSERT_EQ(o.diag.errors().size(), 1u);
  EXPECT_NE(o.diag.errors()[0].find("valid options: url, token, interval"), std::string::npos) << o.diag.errors()[0];
}

TEST(OptionsTest, ReportsAllErrorsNotOnlyTheFirst) {
  Outcome o = Apply(R"({"interval": "1s", "max_items": 0, "weight": "heavy", "enabled": "yes",
    "max_body": "lots", "mode": "medium", "tags": [1], "lexicon": {"x": 9}, "url": "a", "url": "b"})");
  std::string all = o.diag.Joined();
  EXPECT_EQ(o.diag.errors().size(), 9u) << all;
  EXPECT_NE(all.find("interval: must be between 30s and 1d, got \"1s\""), std::string::npos) << all;
  EXPECT_NE(all.find("max_items: must be between 1 and 10000, got 0"), std::string::npos) << all;
  EXPECT_NE(all.find("weight: expected a number, got \"heavy\""), std::string::npos) << all;
  EXPECT_NE(all.find("enabled: expected true or false, got \"yes\""), std::string::npos) << all;
  EXPECT_NE(all.find("max_body: expected a size like \"10MiB\", got \"lots\""), std::string::npos) << all;
  EXPECT_NE(all.find("mode: expected one of fast, slow, got \"medium\""), std::string::npos) << all;
  EXPECT_NE(all.find("tags[0]: expected a string, got 1"), std::string::npos) << all;
  EXPECT_NE(all.find("lexicon.x: must be between -4 and 4, got 9"), std::string::npos) << all;
  EXPECT_NE(all.find("url: option given twice"), std::string::npos) << all;
}

TEST(OptionsTest, MissingRequiredOption) {
  Outcome o = Apply(R"({"interval": "5m"})");
  ASSERT_EQ(o.diag.errors().size(), 1u);
  EXPECT_NE(o.diag.errors()[0].find("sources[3]: missing required option 'url'"), std::string::npos);
}

TEST(OptionsTest, DumpRedactsSecretsAndSubstitutedValues) {
  Outcome o = Apply(R"({"url": "https://x/?key=abcdef", "token": "s3cret"})");
  Redactor r;
  r.AddSecret("abcdef");
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  DumpTable(FeedTable(), o.feed, w, &r);
  std::string out = buf.GetString();
  EXPECT_EQ(out.find("s3cret"), std::string::npos) << out;
  EXPECT_EQ(out.find("abcdef"), std::string::npos) << out;
  EXPECT_NE(out.find("<redacted>"), std::string::npos);
  EXPECT_NE(out.find("\"interval\": \"5m\""), std::string::npos) << out;
}

// Loads `json` through the loader, so that ${env:NAME} is substituted from
// `env`, and applies FeedTable to it at the root.
struct Loaded {
  Feed feed;
  Diagnostics diag;
  Redactor redactor;
};

Loaded LoadWithEnv(const std::string& json, std::map<std::string, std::string> env) {
  brandmon::testing::TempDir dir;
  std::string path = dir.Write("x.json", json);
  Loaded out;
  EnvLookup lookup = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto tree = LoadConfigTree(path, lookup, out.diag);
  EXPECT_TRUE(tree.ok()) << tree.status().message();
  out.redactor = tree->redactor;
  ApplyContext ctx{out.diag, &out.redactor};
  ApplyTable(FeedTable(), tree->root, "", ctx, out.feed);
  return out;
}

// A value from ${env:}/${file:}/${credential:} that fails validation is
// named by its reference, whatever the option kind; the value never shows.
TEST(OptionsTest, ErrorsShowASubstitutedValueOnlyAsItsPlaceholder) {
  Loaded o = LoadWithEnv(R"({"url": "${env:A}", "interval": "${env:B}", "max_items": "${env:C}",
      "weight": "${env:D}", "enabled": "${env:E}", "max_body": "${env:F}", "mode": "${env:G}",
      "tags": ["ok", "${env:H}", {"k": "x"}], "headers": "x-${env:I}", "lexicon": {"w": "${env:J}"}})",
                         {{"A", "zq-a"},
                          {"B", "zq-b"},
                          {"C", "zq-c"},
                          {"D", "zq-d"},
                          {"E", "zq-e"},
                          {"F", "zq-f"},
                          {"G", "zq-g"},
                          {"H", "zq-h"},
                          {"I", "zq-i"},
                          {"J", "zq-j"}});
  std::string all = o.diag.Joined();
  EXPECT_EQ(all.find("zq-"), std::string::npos) << all;
  for (const char* expected : {
           "interval: expected a duration like \"5m\", got <redacted ${env:B}>",
           "max_items: expected an integer, got <redacted ${env:C}>",
           "weight: expected a number, got <redacted ${env:D}>",
           "enabled: expected true or false, got <redacted ${env:E}>",
           "max_body: expected a size like \"10MiB\", got <redacted ${env:F}>",
           "mode: expected one of fast, slow, got <redacted ${env:G}>",
           "headers: expected an object of strings, got <redacted x-${env:I}>",
           "lexicon.w: expected a number, got <redacted ${env:J}>",
       }) {
    EXPECT_NE(all.find(expected), std::string::npos) << "missing: " << expected << "\n" << all;
  }
  // Out of range, too: the message quotes the placeholder, not the duration.
  Loaded r =
      LoadWithEnv(R"({"url": "u", "interval": "${env:B}", "max_body": "${env:F}"})", {{"B", "1s"}, {"F", "2GiB"}});
  all = r.diag.Joined();
  EXPECT_NE(all.find("interval: must be between 30s and 1d, got <redacted ${env:B}>"), std::string::npos) << all;
  EXPECT_NE(all.find("max_body: must be between 1KiB and 1GiB, got <redacted ${env:F}>"), std::string::npos) << all;
  EXPECT_EQ(all.find("2GiB"), std::string::npos) << all;
}

// Accepted, a substituted value is still written as its placeholder in the
// effective config, also when its option formats it (a duration, a size,
// an enum) or it is too short for the text redactor to look for.
TEST(OptionsTest, EffectiveConfigShowsSubstitutedValuesAsPlaceholders) {
  Loaded o = LoadWithEnv(R"({"url": "https://x/?k=${env:A}", "interval": "${env:B}", "max_body": "${env:F}",
      "mode": "${env:G}", "tags": ["plain", "${env:H}"], "headers": {"X-Key": "${env:I}"}})",
                         {{"A", "zq-a"}, {"B", "45s"}, {"F", "2MiB"}, {"G", "slow"}, {"H", "zq"}, {"I", "k1"}});
  ASSERT_TRUE(o.diag.ok()) << o.diag.Joined();
  EXPECT_EQ(o.feed.interval, std::chrono::seconds(45));
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.RedactPaths(&o.redactor);
  DumpTable(FeedTable(), o.feed, w, &o.redactor);
  std::string out = buf.GetString();
  for (const char* expected : {
           "\"url\": \"<redacted https://x/?k=${env:A}>\"",
           "\"interval\": \"<redacted ${env:B}>\"",
           "\"max_body\": \"<redacted ${env:F}>\"",
           "\"mode\": \"<redacted ${env:G}>\"",
           "\"<redacted ${env:H}>\"",
           "\"X-Key\": \"<redacted ${env:I}>\"",
           "\"plain\"",
           "\"max_items\": 200",
       }) {
    EXPECT_NE(out.find(expected), std::string::npos) << "missing: " << expected << "\n" << out;
  }
  for (const char* secret : {"zq-a", "45s", "2MiB", "slow", "\"zq\"", "k1"}) {
    EXPECT_EQ(out.find(secret), std::string::npos) << secret << " in\n" << out;
  }
}

TEST(OptionsTest, PlaceholderShortensLongReferencesAtACodePoint) {
  ConfigValue v = ConfigValue::String("x", {});
  v.set_written(std::string(56, 'a') + "\u00e9\u00e9${env:T}");
  EXPECT_EQ(v.Placeholder(), "<redacted " + std::string(56, 'a') + "...>");
}

TEST(OptionsTest, DescribeShortensLongStringsAtACodePoint) {
  ConfigValue v = ConfigValue::String(std::string(56, 'a') + "\u00e9\u00e9\u00e9", {});
  EXPECT_EQ(Describe(v), "\"" + std::string(56, 'a') + "...\"");
}

TEST(OptionsTest, EveryOptionIsDocumented) {
  for (const auto& spec : FeedTable()) EXPECT_FALSE(spec.info.doc.empty()) << spec.info.key;
}

TEST(ClosestKeyTest, FindsTyposOnly) {
  std::vector<std::string_view> keys = {"interval", "url", "max_items"};
  EXPECT_EQ(ClosestKey("intervl", keys), "interval");
  EXPECT_EQ(ClosestKey("max_item", keys), "max_items");
  EXPECT_EQ(ClosestKey("colour", keys), "");
}

struct Files {
  std::string file;
  std::vector<std::string> lexicons;
};

const OptionTable<Files>& FilesTable() {
  static const OptionTable<Files> t = {
      Path<Files>("file", "", &Files::file, "A file."),
      PathList<Files>("lexicons", &Files::lexicons, "Lexicon files."),
  };
  return t;
}

Files ApplyFiles(const std::string& json, const std::string& config_file) {
  auto v = ParseConfigText(json, config_file);
  EXPECT_TRUE(v.ok()) << v.status().message();
  Diagnostics diag;
  ApplyContext ctx{diag};
  Files out;
  ApplyTable(FilesTable(), *v, "", ctx, out);
  EXPECT_TRUE(diag.ok()) << diag.Joined();
  return out;
}

TEST(OptionsTest, RelativePathsAreRelativeToTheConfigFilesFolder) {
  Files f = ApplyFiles(R"({"file": "data/a.jsonl", "lexicons": ["../x.tsv", "/abs/y.tsv", "z.tsv"]})",
                       "/etc/brandmon/conf.d/10-a.json");
  EXPECT_EQ(f.file, "/etc/brandmon/conf.d/data/a.jsonl");
  EXPECT_EQ(f.lexicons, (std::vector<std::string>{"/etc/brandmon/x.tsv", "/abs/y.tsv", "/etc/brandmon/conf.d/z.tsv"}));
  EXPECT_EQ(ApplyFiles(R"({"file": "./b.db"})", "conf/brandmon.json").file, "conf/b.db");
  EXPECT_EQ(ApplyFiles(R"({"file": "b.db"})", "brandmon.json").file, "b.db") << "a config in the working folder";
  EXPECT_EQ(ApplyFiles(R"({})", "/etc/brandmon/brandmon.json").file, "") << "an empty default stays empty";
}

TEST(OptionsTest, PathOptionsAreDocumentedAsPaths) {
  std::vector<OptionInfo> infos = Infos(FilesTable());
  EXPECT_EQ(TypeName(infos[0].type), "path");
  EXPECT_EQ(TypeName(infos[1].type), "path list");
}

// A config with a section only a restart applies, but for one option.
struct Section {
  std::string file;
  std::string key;
  Duration every{};
};
struct Whole {
  Section section;
  int level = 0;
};

const OptionTable<Section>& SectionTable() {
  static const OptionTable<Section> t = {
      Str<Section>("file", "a.db", &Section::file, "A file."),
      Secret<Section>("key", &Section::key, "A key."),
      Reloadable(Dur<Section>("every", "1h", {"1m", "1d"}, &Section::every, "How often.")),
  };
  return t;
}

const OptionTable<Whole>& WholeTable() {
  static const OptionTable<Whole> t = {
      RestartOnly(Obj<Whole>("section", &Whole::section, &SectionTable, "A section.")),
      Int<Whole>("level", 1, {0, 9}, &Whole::level, "A level."),
  };
  return t;
}

std::vector<std::string> ChangedKeys(const Whole& running, const Whole& loaded) {
  Redactor none;
  std::vector<std::string> keys;
  for (const auto& c : RestartOnlyChanges(WholeTable(), running, none, loaded, none)) keys.push_back(c.key);
  return keys;
}

TEST(OptionsTest, ARestartOnlySectionMarksTheOptionsInsideButItsExceptions) {
  Whole running;
  ApplyDefaults(WholeTable(), running);
  Whole loaded = running;
  loaded.level = 5;
  loaded.section.every = std::chrono::minutes(5);
  EXPECT_TRUE(ChangedKeys(running, loaded).empty());
  loaded.section.file = "b.db";
  EXPECT_EQ(ChangedKeys(running, loaded), (std::vector<std::string>{"section.file"}));
  Redactor none;
  auto changes = RestartOnlyChanges(WholeTable(), running, none, loaded, none);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].running, R"("a.db")");
  EXPECT_EQ(changes[0].configured, R"("b.db")");
}

TEST(OptionsTest, AChangedSecretIsFoundButShownRedacted) {
  Whole running;
  ApplyDefaults(WholeTable(), running);
  running.section.key = "first-secret";
  Whole loaded = running;
  loaded.section.key = "second-secret";
  Redactor none;
  auto changes = RestartOnlyChanges(WholeTable(), running, none, loaded, none);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].key, "section.key");
  EXPECT_EQ(changes[0].running, R"("<redacted>")");
  EXPECT_EQ(changes[0].configured, R"("<redacted>")");
}

}  // namespace
}  // namespace brandmon::config
