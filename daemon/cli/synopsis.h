#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace brandmon::cli {

// What the value of an option or a positional argument is, as far as a shell
// completion can offer it.
enum class ValueKind {
  kNone,    // a flag: no value
  kText,    // free text (a duration, a query): nothing to offer
  kWords,   // only the literal words listed
  kFile,    // a file name
  kDir,     // a directory name
  kSource,  // a source name of the config
  kBrand,   // a brand name of the config
  kPreset,  // an http_json preset name
};

// One option of a command: "--config" with its metavar "PATH", and the
// literal values its usage spells out ("--format csv|jsonl": csv, jsonl).
struct OptionUse {
  std::string flag;
  std::string metavar;             // as written ("PATH", "csv|jsonl"); empty for a flag
  std::vector<std::string> words;  // its literal values ("csv", "jsonl")
  ValueKind kind = ValueKind::kNone;
};

// The options and the positional argument that a command's usage text names.
struct Synopsis {
  std::vector<OptionUse> options;
  std::string positional;                     // as written: "SOURCE", "FILE|-", "bash|zsh"; empty when none
  std::vector<std::string> positional_words;  // its literal values ("-", or "bash" and "zsh")
  ValueKind positional_kind = ValueKind::kNone;
};

// Reads the synopsis of `usage`, a command table's usage text: its first line
// ("brandmonctl NAME ..."), and each following line that starts with '['
// after its indentation; the explanation after them, and anything after two
// spaces and a '(' on a line, is prose and skipped. Options are "-x" and
// "--name" words, each followed by its metavar when the next word is one
// (upper case, or literal values joined by '|'); an upper-case word or '|'
// list that follows no option is the positional argument. Brackets, parens,
// "|" between alternatives and "..." are punctuation.
Synopsis ParseSynopsis(std::string_view usage);

// The kind of value of `flag` whose metavar's upper-case name is `name`
// ("--preset NAME": a preset; "PATH": a file), or of a positional when `flag`
// is empty. A metavar of literal words only ("csv|jsonl") is kWords.
ValueKind KindOf(std::string_view flag, std::string_view name, bool has_words);

}  // namespace brandmon::cli
