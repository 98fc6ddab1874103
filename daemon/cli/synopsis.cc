#include "daemon/cli/synopsis.h"

#include <algorithm>
#include <cctype>

namespace brandmon::cli {
namespace {

// How a metavar or an option names its values. An option's own rule wins over
// its metavar's ("--preset NAME", "--brand B" are names of things).
struct ValueRule {
  std::string_view flag;     // empty: any
  std::string_view metavar;  // empty: any
  ValueKind kind;
};
constexpr ValueRule kValueRules[] = {
    {"--preset", "", ValueKind::kPreset}, {"--brand", "", ValueKind::kBrand}, {"--output", "", ValueKind::kFile},
    {"--config", "", ValueKind::kFile},   {"", "SOURCE", ValueKind::kSource}, {"", "PATH", ValueKind::kFile},
    {"", "FILE", ValueKind::kFile},       {"", "DIR", ValueKind::kDir},
};

bool IsFlag(std::string_view w) {
  size_t dashes = w.starts_with("--") ? 2 : (w.starts_with("-") ? 1 : 0);
  if (dashes == 0 || w.size() == dashes || !std::islower(static_cast<unsigned char>(w[dashes]))) return false;
  for (char c : w.substr(dashes)) {
    if (!std::islower(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c)) && c != '-') {
      return false;
    }
  }
  return dashes == 2 || w.size() == 2;
}

// The leading run of metavar characters of `w` ("B[,B...]]" -> "B").
std::string_view MetavarRun(std::string_view w) {
  size_t n = 0;
  while (n < w.size() && (std::isalnum(static_cast<unsigned char>(w[n])) || w[n] == '_' || w[n] == '|' ||
                          (w[n] == '-' && (n == 0 || w[n - 1] == '|')))) {
    ++n;
  }
  return w.substr(0, n);
}

// Splits a metavar run, "auto|CODE", into its upper-case name ("CODE") and
// its literal words ("auto"). Returns false when `run` is no metavar at all.
bool SplitMetavar(std::string_view run, std::string& name, std::vector<std::string>& words) {
  bool upper = false;
  for (char c : run) upper = upper || std::isupper(static_cast<unsigned char>(c));
  if (!upper && run.find('|') == std::string_view::npos) return false;
  while (!run.empty()) {
    size_t bar = run.find('|');
    std::string_view part = run.substr(0, bar);
    bool part_upper = !part.empty() && std::isupper(static_cast<unsigned char>(part[0]));
    if (part_upper && name.empty()) {
      name = part;
    } else if (!part.empty() && !part_upper) {
      words.emplace_back(part);
    }
    run = bar == std::string_view::npos ? std::string_view() : run.substr(bar + 1);
  }
  return !name.empty() || !words.empty();
}

std::string_view Trim(std::string_view w) {
  while (!w.empty() && (w.front() == '[' || w.front() == '(')) w.remove_prefix(1);
  while (!w.empty() && (w.back() == ']' || w.back() == ')' || w.back() == '.')) w.remove_suffix(1);
  return w;
}

// The synopsis lines of `usage`, prose cut off.
std::vector<std::string_view> SynopsisLines(std::string_view usage) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < usage.size();) {
    size_t end = std::min(usage.find('\n', start), usage.size());
    std::string_view line = usage.substr(start, end - start);
    start = end + 1;
    size_t indent = line.find_first_not_of(' ');
    if (!lines.empty() && (indent == std::string_view::npos || line[indent] != '[')) break;
    lines.push_back(line.substr(0, line.find("  (")));
  }
  return lines;
}

// Adds `w` to `s`: an option, the metavar of the option at index `pending`
// (-1: none), or the positional argument.
void AddWord(std::string_view w, Synopsis& s, int& pending) {
  if (IsFlag(w)) {
    pending = -1;
    for (size_t i = 0; i < s.options.size() && pending < 0; ++i) {
      if (s.options[i].flag == w) pending = static_cast<int>(i);
    }
    if (pending < 0) {
      s.options.push_back({std::string(w), "", {}, ValueKind::kNone});
      pending = static_cast<int>(s.options.size()) - 1;
    }
    return;
  }
  std::string_view run = MetavarRun(w);
  std::string name;
  std::vector<std::string> words;
  bool metavar = SplitMetavar(run, name, words);
  if (metavar && pending >= 0) {
    OptionUse& o = s.options[pending];
    o.metavar = run;
    o.words = std::move(words);
    o.kind = KindOf(o.flag, name, !o.words.empty());
  } else if (metavar && s.positional.empty()) {
    s.positional = run;
    s.positional_words = std::move(words);
    s.positional_kind = KindOf("", name, !s.positional_words.empty());
  }
  pending = -1;
}

}  // namespace

ValueKind KindOf(std::string_view flag, std::string_view name, bool has_words) {
  for (const auto& r : kValueRules) {
    if ((r.flag.empty() || r.flag == flag) && (r.metavar.empty() || r.metavar == name)) return r.kind;
  }
  return has_words && name.empty() ? ValueKind::kWords : ValueKind::kText;
}

Synopsis ParseSynopsis(std::string_view usage) {
  Synopsis s;
  bool first_line = true;
  for (std::string_view line : SynopsisLines(usage)) {
    size_t skip = first_line ? 2 : 0;  // "brandmonctl NAME"
    first_line = false;
    int pending = -1;
    for (size_t start = 0; start < line.size();) {
      size_t end = std::min(line.find(' ', start), line.size());
      std::string_view word = Trim(line.substr(start, end - start));
      start = end + 1;
      if (word.empty() || word == "|") continue;
      if (skip > 0) {
        --skip;
        continue;
      }
      AddWord(word, s, pending);
    }
  }
  return s;
}

}  // namespace brandmon::cli
