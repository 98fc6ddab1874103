#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/config/options.h"

namespace brandmon::sentiment {

// Options of the sentiment engine, declared once in SentimentOptionTable().
struct SentimentOptions {
  std::string data_dir;                    // empty: the installed or source data dir
  std::string language = "auto";           // "auto" or a code pinned for every text
  std::vector<std::string> lexicon_files;  // extra term<TAB>valence files, in order
  std::map<std::string, double> lexicon;   // global overrides, applied last
};

// The option table for the "sentiment" config section.
const config::OptionTable<SentimentOptions>& SentimentOptionTable();

// The first directory among `configured` (when non-empty), the installed data
// dir and the source checkout's data dir that holds sentiment lexicons
// (sentiment/en/lexicon.tsv), or nullopt when none does.
std::optional<std::string> ResolveDataDir(const std::string& configured);

}  // namespace brandmon::sentiment
