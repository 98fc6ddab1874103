#include "daemon/sentiment/lexicon.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>

#include "daemon/config/json_reader.h"
#include "daemon/text/fold.h"
#include "daemon/text/normalize.h"
#include "daemon/text/script.h"
#include "daemon/text/utf8.h"

namespace brandmon::sentiment {

namespace {

namespace fs = std::filesystem;

constexpr double kMaxValence = 4.0;

// Far above any lexicon (the largest shipped is ~100 KB).
constexpr size_t kMaxLexiconBytes = 64 << 20;

// A regular file only: a FIFO or a device named by a config is refused
// without blocking, instead of hanging the load.
Result<std::string> ReadWhole(const std::string& path) {
  Result<std::string> content = config::ReadRegularFile(path, kMaxLexiconBytes);
  if (!content.ok()) return content.status().WithContext("lexicon file");
  return content;
}

// Calls f(line_number, fields) for each non-comment line, fields split on TAB.
template <typename F>
Status ForEachLine(const std::string& path, const std::string& content, F&& f) {
  std::vector<std::string_view> fields;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    std::string_view line(content.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    fields.clear();
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    if (Status s = f(fields); !s.ok()) return s.WithContext(path + ":" + std::to_string(line_no));
  }
  return Status::Ok();
}

Status ParseValence(std::string_view s, float* out) {
  float v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return Status::Corrupt("bad number '" + std::string(s) + "'");
  }
  if (!(v >= -kMaxValence && v <= kMaxValence)) {
    return Status::Corrupt("valence " + std::string(s) + " is outside -4 to 4");
  }
  *out = v;
  return Status::Ok();
}

size_t CountWords(std::string_view phrase) {
  return static_cast<size_t>(std::count(phrase.begin(), phrase.end(), ' ')) + 1;
}

Status LoadPackLexicon(const std::string& path, LanguagePack* pack) {
  Result<std::string> content = ReadWhole(path);
  if (!content.ok()) return content.status();
  return ForEachLine(path, *content, [&](const std::vector<std::string_view>& f) {
    if (f.size() < 2 || f[0].empty()) return Status::Corrupt("expected term<TAB>valence");
    float v = 0;
    if (Status s = ParseValence(f[1], &v); !s.ok()) return s;
    std::string key = TermKey(f[0]);
    if (key.empty()) return Status::Ok();
    if (key.find(' ') != std::string::npos) {
      TermInfo& first = pack->terms[std::string_view(key).substr(0, key.find(' '))];
      first.phrase_words =
          static_cast<uint8_t>(std::max<size_t>(first.phrase_words, std::min<size_t>(CountWords(key), 8)));
      pack->AddPhrasePair(key);
      TermInfo& info = pack->terms[key];
      info.flags |= TermInfo::kPhrase;
      info.valence = v;
      if (v != 0) info.flags |= TermInfo::kValence;
      return Status::Ok();
    }
    TermInfo& info = pack->terms[key];
    info.valence = v;
    info.flags |= TermInfo::kValence;
    return Status::Ok();
  });
}

Status ApplyRule(const std::vector<std::string_view>& f, LanguagePack* pack, std::vector<std::string>* stopwords) {
  if (f.size() < 2) return Status::Corrupt("expected kind<TAB>term");
  std::string_view kind = f[0];
  if (kind == "setting") {
    if (f.size() < 3) return Status::Corrupt("expected setting<TAB>name<TAB>value");
    if (f[1] == "negation_after") {
      pack->negation_after = f[2] == "1";
      return Status::Ok();
    }
    if (f[1] == "word_pieces") {
      pack->word_pieces = pack->unspaced || f[2] == "1";
      return Status::Ok();
    }
    return Status::Corrupt("unknown setting '" + std::string(f[1]) + "'");
  }
  if (kind == "suffix") {
    if (f.size() < 3 || f[1].empty()) return Status::Corrupt("expected suffix<TAB>from<TAB>to ('-' for nothing)");
    pack->suffixes.emplace_back(TermKey(f[1]), f[2] == "-" ? std::string() : TermKey(f[2]));
    return Status::Ok();
  }
  if (kind == "prefix") {
    pack->prefixes.push_back(TermKey(f[1]));
    return Status::Ok();
  }
  std::string key = TermKey(f[1]);
  if (key.empty()) return Status::Corrupt("empty term");
  if (kind == "stopword") {
    stopwords->push_back(key);
    return Status::Ok();
  }
  bool phrase = key.find(' ') != std::string::npos;
  if (phrase) {
    TermInfo& first = pack->terms[std::string_view(key).substr(0, key.find(' '))];
    first.phrase_words =
        static_cast<uint8_t>(std::max<size_t>(first.phrase_words, std::min<size_t>(CountWords(key), 8)));
    pack->AddPhrasePair(key);
  }
  TermInfo& info = pack->terms[key];
  if (phrase) info.flags |= TermInfo::kPhrase;
  if (kind == "negator") {
    info.flags |= TermInfo::kNegator;
  } else if (kind == "negator_never") {
    info.flags |= TermInfo::kNegator | TermInfo::kNever;
  } else if (kind == "contrast") {
    info.flags |= TermInfo::kContrast;
  } else if (kind == "emphatic") {
    info.flags |= TermInfo::kEmphatic;
  } else if (kind == "question_opener") {
    info.flags |= TermInfo::kQuestionOpener;
  } else if (kind == "first_person") {
    info.flags |= TermInfo::kFirstPerson;
    pack->first_person = true;
  } else if (kind == "booster" || kind == "idiom") {
    if (f.size() < 3) return Status::Corrupt("expected " + std::string(kind) + "<TAB>term<TAB>value");
    float v = 0;
    if (Status s = ParseValence(f[2], &v); !s.ok()) return s;
    if (kind == "booster") {
      info.booster = v;
      info.flags |= TermInfo::kBooster;
    } else {
      info.valence = v;
      if (v != 0) info.flags |= TermInfo::kValence;
      if (v == 0) info.flags &= static_cast<uint16_t>(~TermInfo::kValence);
    }
  } else {
    return Status::Corrupt("unknown rule kind '" + std::string(kind) + "'");
  }
  return Status::Ok();
}

bool MostlyLatin(const std::vector<std::string>& words) {
  size_t latin = 0;
  for (const auto& w : words) {
    size_t i = 0;
    if (!w.empty() && text::ScriptOf(text::DecodeUtf8(w, &i)) == text::Script::kLatin) ++latin;
  }
  return !words.empty() && latin * 2 > words.size();
}

Status LoadSymbols(const std::string& path, TermMap<float>* symbols) {
  Result<std::string> content = ReadWhole(path);
  if (!content.ok()) return content.status();
  return ForEachLine(path, *content, [&](const std::vector<std::string_view>& f) {
    if (f.size() < 2 || f[0].empty()) return Status::Corrupt("expected symbol<TAB>valence");
    float v = 0;
    if (Status s = ParseValence(f[1], &v); !s.ok()) return s;
    (*symbols)[TermKey(f[0])] = v;
    return Status::Ok();
  });
}

// Emoticons such as ":)", ":l" or "<3": short, no spaces, some ASCII punctuation.
bool IsEmoticon(std::string_view key) {
  if (key.size() < 2 || key.size() > 8 || key.find(' ') != std::string_view::npos) return false;
  bool punct = false;
  for (unsigned char c : key) {
    if (c >= 0x80) return false;
    if (c != '\'' && c != '-' && std::ispunct(c)) punct = true;
  }
  return punct;
}

// Loads one language's folder: lexicon.tsv, then core.tsv and rules.tsv
// when present. *stopwords receives the rules' stopwords.
Status LoadPack(const fs::path& lang_dir, LanguagePack* pack, std::vector<std::string>* stopwords) {
  pack->code = lang_dir.filename().string();
  pack->unspaced = pack->code == "zh" || pack->code == "ja" || pack->code == "th";
  pack->word_pieces = pack->unspaced;
  if (Status s = LoadPackLexicon((lang_dir / "lexicon.tsv").string(), pack); !s.ok()) return s;
  if (fs::path core = lang_dir / "core.tsv"; fs::exists(core)) {
    if (Status s = LoadPackLexicon(core.string(), pack); !s.ok()) return s;
  }
  fs::path rules = lang_dir / "rules.tsv";
  if (!fs::exists(rules)) return Status::Ok();
  Result<std::string> content = ReadWhole(rules.string());
  if (!content.ok()) return content.status();
  return ForEachLine(rules.string(), *content,
                     [&](const std::vector<std::string_view>& f) { return ApplyRule(f, pack, stopwords); });
}

// Builds the stopword index of the Latin-script packs (at most 16), given
// each pack's stopwords in set->packs order.
void IndexStopwords(const std::vector<std::vector<std::string>>& stopwords, LexiconSet* set) {
  for (size_t i = 0; i < set->packs.size(); ++i) {
    if (!MostlyLatin(stopwords[i]) || set->latin_packs.size() >= 16) continue;
    uint16_t bit = static_cast<uint16_t>(1u << set->latin_packs.size());
    if (set->packs[i].get() == set->english) set->english_latin = static_cast<int>(set->latin_packs.size());
    set->latin_packs.push_back(i);
    for (const auto& w : stopwords[i]) {
      set->latin_stopwords[w] |= bit;
      set->longest_stopword = std::max(set->longest_stopword, w.size());
      if (!w.empty() && w.size() < 64) {
        set->stopword_shapes[static_cast<unsigned char>(w[0])] |= uint64_t{1} << w.size();
      }
    }
  }
}

// Builds ascii_words and its filter from the English pack and the stopwords.
void IndexAsciiWords(LexiconSet* set) {
  auto ascii_word = [](std::string_view key) {
    return std::all_of(key.begin(), key.end(), [](char c) { return c != ' ' && static_cast<unsigned char>(c) < 0x80; });
  };
  set->english->terms.ForEach([&](std::string_view key, const TermInfo& info) {
    if (!ascii_word(key)) return;
    LexiconSet::AsciiEntry& e = set->ascii_words[key];
    e.english = info;
    e.has_english = true;
    e.english_knows = true;
  });
  uint16_t english = set->english_latin >= 0 ? static_cast<uint16_t>(1u << set->english_latin) : 0;
  set->latin_stopwords.ForEach([&](std::string_view key, uint16_t bits) {
    if (!ascii_word(key)) return;
    LexiconSet::AsciiEntry& e = set->ascii_words[key];
    e.stopwords = bits;
    e.english_knows |= (bits & english) != 0;
  });
  set->ascii_words.ForEach([&](std::string_view key, const LexiconSet::AsciiEntry&) {
    uint64_t bit = HashTerm(key) >> (64 - LexiconSet::kAsciiFilterBits);
    set->ascii_filter[bit / 64] |= uint64_t{1} << (bit % 64);
  });
}

// Fills set->symbols: the English lexicon's emoticons, then the emoji files
// in `root` (the later wins).
Status LoadAllSymbols(const fs::path& root, LexiconSet* set) {
  // Emoticons rated in the English lexicon score in every language.
  set->Find("en")->terms.ForEach([&](std::string_view key, const TermInfo& info) {
    if ((info.flags & TermInfo::kValence) && IsEmoticon(key)) set->symbols[key] = info.valence;
  });
  for (const char* name : {"emoji_ranking.tsv", "emoji.tsv"}) {
    fs::path p = root / name;
    if (!fs::exists(p)) continue;
    if (Status s = LoadSymbols(p.string(), &set->symbols); !s.ok()) return s;
  }
  set->symbols.ForEach([&](std::string_view key, float) {
    if (!key.empty()) set->symbol_first_byte[static_cast<unsigned char>(key[0])] = true;
  });
  return Status::Ok();
}

}  // namespace

std::string TermKey(std::string_view term) {
  while (!term.empty() && (term.front() == ' ' || term.front() == '\t')) term.remove_prefix(1);
  while (!term.empty() && (term.back() == ' ' || term.back() == '\t')) term.remove_suffix(1);
  std::string out;
  bool ascii = std::all_of(term.begin(), term.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) {
    text::AppendFolded(term, &out);
    return out;
  }
  Result<std::string> nfkc = text::Normalize(term, text::NormalForm::kNfkc);
  text::AppendFolded(nfkc.ok() ? std::string_view(*nfkc) : term, &out);
  return out;
}

const LanguagePack* LexiconSet::Find(std::string_view code) const {
  for (const auto& p : packs) {
    if (p->code == code) return p.get();
  }
  return nullptr;
}

void LanguagePack::AddPhrasePair(std::string_view phrase) {
  size_t space = phrase.find(' ');
  if (space == std::string_view::npos) return;
  std::string_view first = phrase.substr(0, space);
  std::string_view second = phrase.substr(space + 1);
  second = second.substr(0, second.find(' '));
  size_t bit = PhrasePairBit(HashTerm(first), HashTerm(second));
  phrase_pairs[bit / 64] |= uint64_t{1} << (bit % 64);
}

size_t LexiconSet::MemoryBytes() const {
  size_t total = symbols.MemoryBytes() + latin_stopwords.MemoryBytes() + ascii_words.MemoryBytes();
  for (const auto& p : packs) total += p->terms.MemoryBytes() + sizeof(LanguagePack);
  return total;
}

Status ReadValenceFile(const std::string& path, std::map<std::string, double>* out) {
  Result<std::string> content = ReadWhole(path);
  if (!content.ok()) return content.status();
  return ForEachLine(path, *content, [&](const std::vector<std::string_view>& f) {
    if (f.size() < 2 || f[0].empty()) return Status::Corrupt("expected term<TAB>valence");
    float v = 0;
    if (Status s = ParseValence(f[1], &v); !s.ok()) return s;
    (*out)[TermKey(f[0])] = v;
    return Status::Ok();
  });
}

Result<std::unique_ptr<LexiconSet>> LoadLexiconSet(const std::string& dir) {
  fs::path root = fs::path(dir) / "sentiment";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return Status::NotFound("no sentiment data in '" + root.string() + "'");
  auto set = std::make_unique<LexiconSet>();
  std::vector<fs::path> lang_dirs;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (entry.is_directory() && fs::exists(entry.path() / "lexicon.tsv")) lang_dirs.push_back(entry.path());
  }
  if (ec) return Status::NotFound("cannot list '" + root.string() + "': " + ec.message());
  std::sort(lang_dirs.begin(), lang_dirs.end());
  std::vector<std::vector<std::string>> stopwords;
  for (const auto& lang_dir : lang_dirs) {
    auto pack = std::make_unique<LanguagePack>();
    std::vector<std::string> words;
    if (Status s = LoadPack(lang_dir, pack.get(), &words); !s.ok()) return s;
    stopwords.push_back(std::move(words));
    set->packs.push_back(std::move(pack));
  }
  set->english = set->Find("en");
  set->arabic = set->Find("ar");
  set->hindi = set->Find("hi");
  set->gujarati = set->Find("gu");
  set->chinese = set->Find("zh");
  set->japanese = set->Find("ja");
  set->russian = set->Find("ru");
  set->korean = set->Find("ko");
  if (set->english == nullptr) return Status::NotFound("no english lexicon in '" + (root / "en").string() + "'");
  IndexStopwords(stopwords, set.get());
  IndexAsciiWords(set.get());
  if (Status s = LoadAllSymbols(root, set.get()); !s.ok()) return s;
  return set;
}

}  // namespace brandmon::sentiment
