#include "daemon/sentiment/options.h"

#include <filesystem>
#include <map>

#include "daemon/sentiment/lexicon.h"

namespace brandmon::sentiment {

namespace {

// Each file is read when the config is loaded, so that --check-config and a
// reload name a missing, unreadable or malformed one, and a FIFO or a device
// is refused there instead of hanging the daemon's start.
config::OptionSpec<SentimentOptions> LexiconFiles() {
  auto spec = config::PathList<SentimentOptions>(
      "lexicon_files", &SentimentOptions::lexicon_files,
      "Extra term<TAB>valence files (valence -4 to 4) applied to every language; each must be a regular file.");
  spec.apply = [read = spec.apply](SentimentOptions& out, const config::ConfigValue* v, const std::string& path,
                                   config::ApplyContext& ctx) {
    read(out, v, path, ctx);
    if (v == nullptr || !v->is_array()) return;
    size_t read_files = 0;
    for (size_t i = 0; i < v->items().size(); ++i) {
      const config::ConfigValue& item = v->items()[i];
      if (!item.is_string()) continue;
      std::map<std::string, double> terms;
      const std::string& file = out.lexicon_files[read_files++];
      if (Status s = ReadValenceFile(file, &terms); !s.ok()) {
        ctx.diag.Error(item.pos(), config::JoinIndex(path, i), s.message());
      }
    }
  };
  return spec;
}

}  // namespace

const config::OptionTable<SentimentOptions>& SentimentOptionTable() {
  static const config::OptionTable<SentimentOptions> table = {
      config::Path<SentimentOptions>("data_dir", "", &SentimentOptions::data_dir,
                                     "Folder holding sentiment/<lang>/lexicon.tsv; empty picks the installed data "
                                     "(share/brandmon beside the program's bin folder, or the checkout's data/)."),
      config::Str<SentimentOptions>("language", "auto", &SentimentOptions::language,
                                    "Language of every text (a code such as \"en\" or \"gu\"), or \"auto\" to "
                                    "identify it per text."),
      LexiconFiles(),
      config::NumMap<SentimentOptions>("lexicon", {-4.0, 4.0}, &SentimentOptions::lexicon,
                                       "Valence overrides for every language, e.g. {\"sick\": 2}; 0 makes a term "
                                       "neutral."),
  };
  return table;
}

std::optional<std::string> ResolveDataDir(const std::string& configured) {
  std::vector<std::string> candidates;
  if (!configured.empty()) candidates.push_back(configured);
  candidates.push_back(BRANDMON_DATA_DIR);
  // An installation moved to another prefix: share/brandmon beside bin/.
  std::error_code exe_ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", exe_ec);
  if (!exe_ec) candidates.push_back((exe.parent_path().parent_path() / "share" / "brandmon").string());
  candidates.push_back(BRANDMON_SOURCE_DATA_DIR);
  for (const auto& dir : candidates) {
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::path(dir) / "sentiment" / "en" / "lexicon.tsv", ec)) return dir;
  }
  return std::nullopt;
}

}  // namespace brandmon::sentiment
