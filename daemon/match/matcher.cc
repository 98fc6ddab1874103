#include "daemon/match/matcher.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "daemon/match/automaton.h"
#include "daemon/match/query.h"
#include "daemon/text/fold.h"
#include "daemon/text/tokens.h"

namespace brandmon::match {

namespace {

using text::FoldedText;
using text::FoldMode;

constexpr size_t kFieldCount = 4;
// Caps on the occurrences one NEAR operand contributes, which bound its
// quadratic pairing on texts that repeat a term thousands of times.
constexpr size_t kMaxNearOperand = 256;

uint8_t FieldBit(Field f) { return static_cast<uint8_t>(1u << static_cast<unsigned>(f)); }

uint8_t ScopeFields(Scope scope) {
  switch (scope) {
    case Scope::kTitle: return FieldBit(Field::kTitle);
    case Scope::kAuthor: return FieldBit(Field::kAuthor);
    case Scope::kUrl: return FieldBit(Field::kUrl);
    case Scope::kDefault: break;
  }
  return FieldBit(Field::kText) | FieldBit(Field::kTitle);
}

std::string_view FieldText(const MatchInput& in, Field f) {
  switch (f) {
    case Field::kText: return in.text;
    case Field::kTitle: return in.title;
    case Field::kAuthor: return in.author;
    case Field::kUrl: return in.url;
  }
  return {};
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return Lower(x) == Lower(y); });
}

// "es" matches "es" and "es-MX"; "pt-br" matches "pt-BR" only.
bool LangMatches(std::string_view want, std::string_view lang) {
  if (lang.size() < want.size()) return false;
  if (!EqualsIgnoreCase(lang.substr(0, want.size()), want)) return false;
  return lang.size() == want.size() || lang[want.size()] == '-' || lang[want.size()] == '_';
}

// The lower-case host of `url`, without user info, port or final dot.
std::string HostOf(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (size_t at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  if (size_t colon = url.rfind(':'); colon != std::string_view::npos && url.find(']') == std::string_view::npos) {
    url = url.substr(0, colon);
  }
  if (!url.empty() && url.back() == '.') url.remove_suffix(1);
  std::string host(url);
  for (char& c : host) c = Lower(c);
  return host;
}

bool SiteMatches(std::string_view site, std::string_view url) {
  std::string host = HostOf(url);
  if (host == site) return true;
  return host.size() > site.size() && host.ends_with(site) && host[host.size() - site.size() - 1] == '.';
}

std::string Display(const QueryNode& n) {
  std::string out = n.phrase ? "\"" + n.text + "\"" : n.text;
  if (n.wildcard) out += '*';
  switch (n.scope) {
    case Scope::kTitle: return "title:" + out;
    case Scope::kAuthor: return "author:" + out;
    case Scope::kUrl: return "url:" + out;
    case Scope::kDefault: break;
  }
  return out;
}

struct TermInfo {
  uint32_t brand = 0;
  uint8_t fields = 0;
  bool prefix = false;
  std::string display;
};

struct Node {
  QueryNode::Kind kind = QueryNode::Kind::kTerm;
  uint32_t first_child = 0;
  uint32_t child_count = 0;
  uint32_t term = 0;
  int distance = 0;
  std::string value;
};

struct Hit {
  uint32_t term;
  Field field;
  uint32_t start;  // code points in the original field
  uint32_t end;
  uint32_t first_word;
  uint32_t last_word;
};

// A stretch of a field that satisfies a NEAR operand.
struct Occurrence {
  Field field;
  uint32_t first_word;
  uint32_t last_word;
  uint32_t start;
  uint32_t end;
};

}  // namespace

struct MatchScratch::Impl {
  text::Tokens fields[kFieldCount];  // of the fields whose tokens the caller did not give
  std::vector<Hit> hits;
  uint32_t generation = 0;
  std::vector<uint32_t> term_stamp, term_begin, term_end;
  std::vector<uint32_t> brand_stamp;
  std::vector<uint32_t> candidates;
  std::vector<uint8_t> node_value;
  std::vector<Occurrence> occurrences;
  std::vector<uint32_t> occ_begin, occ_end;
  std::string detected_lang;  // valid when lang_generation == generation
  uint32_t lang_generation = 0;
};

MatchScratch::MatchScratch() : impl_(std::make_unique<Impl>()) {}
MatchScratch::~MatchScratch() = default;
MatchScratch::MatchScratch(MatchScratch&&) noexcept = default;
MatchScratch& MatchScratch::operator=(MatchScratch&&) noexcept = default;

struct BrandMatcher::Impl {
  struct Brand {
    std::string name;
    uint32_t root = 0;
    bool always = false;  // has a site: filter, so it is evaluated without term hits
  };
  // Terms of the brands sharing one fold mode.
  struct Side {
    Automaton automaton;
    std::vector<uint32_t> pattern_terms_begin;  // per pattern, into pattern_terms; one extra at the end
    std::vector<uint32_t> pattern_terms;
    uint8_t fields = 0;  // the fields any of these terms looks in
    bool words = false;  // some brand needs word positions (NEAR)
  };

  std::vector<Brand> brands;
  std::vector<TermInfo> terms;
  std::vector<Node> nodes;
  std::vector<uint32_t> children;
  Side sides[2];
  std::vector<uint32_t> always_brands;

  class Compiler;
  void Prepare(MatchScratch::Impl& s) const;
  static const text::Tokens& FieldTokens(const MatchInput& in, Field field, MatchScratch::Impl& s);
  void ScanField(int side, Field field, const text::Tokens& tokens, MatchScratch::Impl& s) const;
  void GroupHits(MatchScratch::Impl& s) const;
  // The language a lang: filter tests (MatchInput::lang_source).
  static std::string_view Language(const MatchInput& in, MatchScratch::Impl& s);
  bool Eval(uint32_t n, const MatchInput& in, MatchScratch::Impl& s) const;
  void Occurrences(uint32_t n, MatchScratch::Impl& s, std::vector<Occurrence>& out) const;
  bool EvalNear(uint32_t n, MatchScratch::Impl& s) const;
  void Collect(uint32_t n, const MatchScratch::Impl& s, BrandHit& hit) const;
  void CollectWithin(uint32_t n, uint32_t near, const MatchScratch::Impl& s, BrandHit& hit) const;
  void AddTermHits(uint32_t term, const MatchScratch::Impl& s, BrandHit& hit,
                   const std::vector<Occurrence>* within) const;
};

// Compiles brand queries into the shared node array and pattern tables.
class BrandMatcher::Impl::Compiler {
 public:
  explicit Compiler(BrandMatcher::Impl& m) : m_(m) {}

  Status AddBrand(uint32_t index, const BrandSpec& spec) {
    auto parsed = ParseQuery(spec.query);
    if (!parsed.ok()) return parsed.status();
    mode_ = spec.options.diacritic_insensitive ? 1 : 0;
    brand_ = index;
    always_ = false;
    uint32_t root = 0;
    if (auto s = Compile(*parsed, spec.query, &root); !s.ok()) return s;
    m_.brands.push_back({spec.name, root, always_});
    if (always_) m_.always_brands.push_back(index);
    return Status::Ok();
  }

  Status Finish() {
    for (int side = 0; side < 2; ++side) {
      auto automaton = Automaton::Build(patterns_[side]);
      if (!automaton.ok()) return automaton.status();
      BrandMatcher::Impl::Side& out = m_.sides[side];
      out.automaton = std::move(automaton).value();
      out.pattern_terms_begin.push_back(0);
      for (const auto& terms : pattern_terms_[side]) {
        out.pattern_terms.insert(out.pattern_terms.end(), terms.begin(), terms.end());
        out.pattern_terms_begin.push_back(static_cast<uint32_t>(out.pattern_terms.size()));
      }
    }
    return Status::Ok();
  }

 private:
  Status Compile(const QueryNode& q, std::string_view query, uint32_t* id) {
    *id = static_cast<uint32_t>(m_.nodes.size());
    Node node;
    node.kind = q.kind;
    node.distance = q.distance;
    node.value = q.text;
    if (q.kind == QueryNode::Kind::kTerm) {
      auto term = AddTerm(q, query);
      if (!term.ok()) return term.status();
      node.term = *term;
    }
    if (q.kind == QueryNode::Kind::kSite) always_ = true;
    if (q.kind == QueryNode::Kind::kNear) m_.sides[mode_].words = true;
    node.first_child = static_cast<uint32_t>(m_.children.size());
    node.child_count = static_cast<uint32_t>(q.children.size());
    m_.nodes.push_back(std::move(node));
    m_.children.resize(m_.children.size() + q.children.size());
    for (size_t i = 0; i < q.children.size(); ++i) {
      uint32_t child = 0;
      if (auto s = Compile(q.children[i], query, &child); !s.ok()) return s;
      m_.children[m_.nodes[*id].first_child + i] = child;
    }
    return Status::Ok();
  }

  Result<uint32_t> AddTerm(const QueryNode& q, std::string_view query) {
    std::string pattern = text::FoldString(q.text, static_cast<FoldMode>(mode_));
    if (pattern.empty()) {
      return Status::InvalidArgument(PositionOf(query, q.offset) + ": term '" + q.text + "' has no letters or digits");
    }
    auto [it, added] = pattern_ids_[mode_].try_emplace(pattern, static_cast<uint32_t>(patterns_[mode_].size()));
    if (added) {
      patterns_[mode_].push_back(pattern);
      pattern_terms_[mode_].emplace_back();
    }
    auto term = static_cast<uint32_t>(m_.terms.size());
    pattern_terms_[mode_][it->second].push_back(term);
    uint8_t fields = ScopeFields(q.scope);
    m_.sides[mode_].fields |= fields;
    m_.terms.push_back({brand_, fields, q.wildcard, Display(q)});
    return term;
  }

  BrandMatcher::Impl& m_;
  int mode_ = 0;
  uint32_t brand_ = 0;
  bool always_ = false;
  std::map<std::string, uint32_t> pattern_ids_[2];
  std::vector<std::string> patterns_[2];
  std::vector<std::vector<uint32_t>> pattern_terms_[2];
};

const config::OptionTable<MatchOptions>& MatchOptionTable() {
  static const config::OptionTable<MatchOptions> table = {
      config::Bool<MatchOptions>("diacritic_insensitive", true, &MatchOptions::diacritic_insensitive,
                                 "Match the brand's terms with or without diacritics alike: nestle finds "
                                 "\"Nestlé\" and nestlé finds \"Nestle\"."),
  };
  return table;
}

std::string DefaultBrandQuery(std::string_view name, const std::vector<std::string>& handles,
                              const std::vector<std::string>& hashtags) {
  // Characters with a meaning in the query language cannot occur inside a
  // quoted phrase or a bare handle.
  auto clean = [](std::string_view s, bool keep_spaces) {
    std::string out;
    for (char c : s) {
      if (c == '"' || c == '(' || c == ')' || c == '*') continue;
      if (!keep_spaces && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) continue;
      out.push_back(c);
    }
    return out;
  };
  std::vector<std::string> parts;
  if (std::string n = clean(name, true); text::HasWordChar(n)) parts.push_back("\"" + n + "\"");
  auto add_tagged = [&](const std::vector<std::string>& items, char sigil) {
    for (const auto& item : items) {
      std::string t = clean(item, false);
      if (!t.empty() && t[0] == sigil) t.erase(0, 1);
      if (text::HasWordChar(t)) parts.push_back(sigil + t);
    }
  };
  add_tagged(handles, '@');
  add_tagged(hashtags, '#');
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " OR ") + p;
  return out;
}

BrandMatcher::BrandMatcher() = default;
BrandMatcher::~BrandMatcher() = default;
BrandMatcher::BrandMatcher(BrandMatcher&&) noexcept = default;
BrandMatcher& BrandMatcher::operator=(BrandMatcher&&) noexcept = default;

Result<BrandMatcher> BrandMatcher::Build(const std::vector<BrandSpec>& brands) {
  auto impl = std::make_unique<Impl>();
  Impl::Compiler compiler(*impl);
  for (size_t i = 0; i < brands.size(); ++i) {
    if (auto s = compiler.AddBrand(static_cast<uint32_t>(i), brands[i]); !s.ok()) {
      return Status::InvalidArgument("brands[" + std::to_string(i) + "].query:" + s.message());
    }
  }
  if (auto s = compiler.Finish(); !s.ok()) return s;
  BrandMatcher m;
  m.impl_ = std::move(impl);
  return m;
}

size_t BrandMatcher::brand_count() const { return impl_ ? impl_->brands.size() : 0; }
const std::string& BrandMatcher::brand_name(size_t index) const { return impl_->brands[index].name; }

std::vector<BrandHit> BrandMatcher::Match(const MatchInput& in) const {
  MatchScratch scratch;
  return Match(in, scratch);
}

std::vector<BrandHit> BrandMatcher::Match(const MatchInput& in, MatchScratch& scratch) const {
  std::vector<BrandHit> out;
  if (!impl_) return out;
  const Impl& m = *impl_;
  MatchScratch::Impl& s = *scratch.impl_;
  m.Prepare(s);
  for (size_t f = 0; f < kFieldCount; ++f) {
    auto field = static_cast<Field>(f);
    if (FieldText(in, field).empty() || !((m.sides[0].fields | m.sides[1].fields) & FieldBit(field))) continue;
    const text::Tokens& tokens = Impl::FieldTokens(in, field, s);
    for (int side = 0; side < 2; ++side) {
      if (!m.sides[side].automaton.empty() && (m.sides[side].fields & FieldBit(field))) {
        m.ScanField(side, field, tokens, s);
      }
    }
  }
  m.GroupHits(s);
  for (uint32_t b : m.always_brands) {
    if (s.brand_stamp[b] != s.generation) {
      s.brand_stamp[b] = s.generation;
      s.candidates.push_back(b);
    }
  }
  std::sort(s.candidates.begin(), s.candidates.end());
  for (uint32_t b : s.candidates) {
    uint32_t root = m.brands[b].root;
    if (!m.Eval(root, in, s)) continue;
    BrandHit hit;
    hit.brand = b;
    hit.name = m.brands[b].name;
    m.Collect(root, s, hit);
    std::sort(hit.spans.begin(), hit.spans.end(), [](const Span& a, const Span& b) {
      return std::tie(a.field, a.start, a.end) < std::tie(b.field, b.start, b.end);
    });
    hit.spans.erase(std::unique(hit.spans.begin(), hit.spans.end()), hit.spans.end());
    out.push_back(std::move(hit));
  }
  return out;
}

void BrandMatcher::Impl::Prepare(MatchScratch::Impl& s) const {
  if (s.term_stamp.size() < terms.size()) {
    s.term_stamp.resize(terms.size(), 0);
    s.term_begin.resize(terms.size());
    s.term_end.resize(terms.size());
  }
  if (s.brand_stamp.size() < brands.size()) s.brand_stamp.resize(brands.size(), 0);
  if (s.node_value.size() < nodes.size()) {
    s.node_value.resize(nodes.size());
    s.occ_begin.resize(nodes.size());
    s.occ_end.resize(nodes.size());
  }
  if (++s.generation == 0) {
    // After 2^32 calls the stamps would alias old ones.
    std::fill(s.term_stamp.begin(), s.term_stamp.end(), 0);
    std::fill(s.brand_stamp.begin(), s.brand_stamp.end(), 0);
    s.lang_generation = 0;
    s.generation = 1;
  }
  s.hits.clear();
  s.candidates.clear();
  s.occurrences.clear();
}

const text::Tokens& BrandMatcher::Impl::FieldTokens(const MatchInput& in, Field field, MatchScratch::Impl& s) {
  if (field == Field::kText && in.text_tokens != nullptr) return *in.text_tokens;
  if (field == Field::kTitle && in.title_tokens != nullptr) return *in.title_tokens;
  text::Tokens& own = s.fields[static_cast<size_t>(field)];
  own.Reset(FieldText(in, field));
  return own;
}

void BrandMatcher::Impl::ScanField(int side_index, Field field, const text::Tokens& tokens,
                                   MatchScratch::Impl& s) const {
  const Side& side = sides[side_index];
  const FoldedText& folded = tokens.Folded(static_cast<FoldMode>(side_index), side.words);
  const std::string_view bytes = folded.bytes;
  const uint8_t bit = FieldBit(field);
  side.automaton.Scan(bytes, [&](uint32_t pattern, size_t end) {
    size_t begin = end - side.automaton.pattern_length(pattern);
    if (!text::StartsOnBoundary(bytes, begin)) return;
    int ends_on_boundary = -1;
    size_t word_end = 0;  // where a wildcard's word ends
    for (uint32_t k = side.pattern_terms_begin[pattern]; k < side.pattern_terms_begin[pattern + 1]; ++k) {
      uint32_t term = side.pattern_terms[k];
      const TermInfo& info = terms[term];
      if (!(info.fields & bit)) continue;
      size_t stop = end;
      if (info.prefix) {
        if (word_end == 0) {
          word_end = end;
          while (word_end < bytes.size() && !text::EndsOnBoundary(bytes, word_end)) {
            do {
              ++word_end;
            } while (word_end < bytes.size() && (static_cast<unsigned char>(bytes[word_end]) & 0xC0) == 0x80);
          }
        }
        stop = word_end;
      } else {
        if (ends_on_boundary < 0) ends_on_boundary = text::EndsOnBoundary(bytes, end) ? 1 : 0;
        if (!ends_on_boundary) continue;
      }
      Hit h{term, field, folded.SourceStart(begin), folded.SourceEnd(stop), 0, 0};
      if (side.words) {
        h.first_word = folded.WordAt(begin);
        h.last_word = folded.WordAt(stop - 1);
      }
      s.hits.push_back(h);
      if (s.brand_stamp[info.brand] != s.generation) {
        s.brand_stamp[info.brand] = s.generation;
        s.candidates.push_back(info.brand);
      }
    }
  });
}

void BrandMatcher::Impl::GroupHits(MatchScratch::Impl& s) const {
  std::sort(s.hits.begin(), s.hits.end(), [](const Hit& a, const Hit& b) {
    return std::tie(a.term, a.field, a.start, a.end) < std::tie(b.term, b.field, b.start, b.end);
  });
  for (size_t i = 0; i < s.hits.size();) {
    uint32_t term = s.hits[i].term;
    size_t j = i;
    while (j < s.hits.size() && s.hits[j].term == term) ++j;
    s.term_stamp[term] = s.generation;
    s.term_begin[term] = static_cast<uint32_t>(i);
    s.term_end[term] = static_cast<uint32_t>(j);
    i = j;
  }
}

std::string_view BrandMatcher::Impl::Language(const MatchInput& in, MatchScratch::Impl& s) {
  if (!in.lang.empty() || in.lang_source == nullptr) return in.lang;
  if (s.lang_generation != s.generation) {
    s.detected_lang = in.lang_source->Language();
    s.lang_generation = s.generation;
  }
  return s.detected_lang;
}

bool BrandMatcher::Impl::Eval(uint32_t n, const MatchInput& in, MatchScratch::Impl& s) const {
  const Node& node = nodes[n];
  bool value = false;
  switch (node.kind) {
    case QueryNode::Kind::kTerm: value = s.term_stamp[node.term] == s.generation; break;
    case QueryNode::Kind::kAnd:
      // Every child is evaluated (no short cut) so that Collect can trust
      // the value of each node below a true one.
      value = true;
      for (uint32_t i = 0; i < node.child_count; ++i) value &= Eval(children[node.first_child + i], in, s);
      break;
    case QueryNode::Kind::kOr:
      for (uint32_t i = 0; i < node.child_count; ++i) value |= Eval(children[node.first_child + i], in, s);
      break;
    case QueryNode::Kind::kNot: value = !Eval(children[node.first_child], in, s); break;
    case QueryNode::Kind::kNear: value = EvalNear(n, s); break;
    case QueryNode::Kind::kLang: value = LangMatches(node.value, Language(in, s)); break;
    case QueryNode::Kind::kChannel: value = EqualsIgnoreCase(node.value, in.channel); break;
    case QueryNode::Kind::kSite: value = !in.url.empty() && SiteMatches(node.value, in.url); break;
  }
  s.node_value[n] = value;
  return value;
}

void BrandMatcher::Impl::Occurrences(uint32_t n, MatchScratch::Impl& s, std::vector<Occurrence>& out) const {
  const Node& node = nodes[n];
  if (node.kind == QueryNode::Kind::kTerm) {
    if (s.term_stamp[node.term] != s.generation) return;
    for (uint32_t k = s.term_begin[node.term]; k < s.term_end[node.term]; ++k) {
      const Hit& h = s.hits[k];
      out.push_back({h.field, h.first_word, h.last_word, h.start, h.end});
    }
  } else if (node.kind == QueryNode::Kind::kOr) {
    for (uint32_t i = 0; i < node.child_count; ++i) Occurrences(children[node.first_child + i], s, out);
  } else if (node.kind == QueryNode::Kind::kNear) {
    EvalNear(n, s);
    out.insert(out.end(), s.occurrences.begin() + s.occ_begin[n], s.occurrences.begin() + s.occ_end[n]);
  }
}

bool BrandMatcher::Impl::EvalNear(uint32_t n, MatchScratch::Impl& s) const {
  const Node& node = nodes[n];
  std::vector<Occurrence> left, right;
  Occurrences(children[node.first_child], s, left);
  Occurrences(children[node.first_child + 1], s, right);
  if (left.size() > kMaxNearOperand) left.resize(kMaxNearOperand);
  if (right.size() > kMaxNearOperand) right.resize(kMaxNearOperand);
  s.occ_begin[n] = static_cast<uint32_t>(s.occurrences.size());
  const auto distance = static_cast<uint32_t>(node.distance);
  for (const Occurrence& l : left) {
    for (const Occurrence& r : right) {
      if (l.field != r.field) continue;
      // Overlapping occurrences are the same words, not two near each other.
      uint32_t gap;
      if (l.last_word < r.first_word) {
        gap = r.first_word - l.last_word;
      } else if (r.last_word < l.first_word) {
        gap = l.first_word - r.last_word;
      } else {
        continue;
      }
      if (gap > distance) continue;
      s.occurrences.push_back({l.field, std::min(l.first_word, r.first_word), std::max(l.last_word, r.last_word),
                               std::min(l.start, r.start), std::max(l.end, r.end)});
    }
  }
  s.occ_end[n] = static_cast<uint32_t>(s.occurrences.size());
  s.node_value[n] = s.occ_end[n] > s.occ_begin[n];
  return s.node_value[n];
}

void BrandMatcher::Impl::AddTermHits(uint32_t term, const MatchScratch::Impl& s, BrandHit& hit,
                                     const std::vector<Occurrence>* within) const {
  if (s.term_stamp[term] != s.generation) return;
  bool any = false;
  for (uint32_t k = s.term_begin[term]; k < s.term_end[term]; ++k) {
    const Hit& h = s.hits[k];
    if (within != nullptr && std::none_of(within->begin(), within->end(), [&](const Occurrence& o) {
          return o.field == h.field && o.start <= h.start && h.end <= o.end;
        })) {
      continue;
    }
    hit.spans.push_back({h.field, h.start, h.end});
    any = true;
  }
  const std::string& display = terms[term].display;
  if (any && std::find(hit.terms.begin(), hit.terms.end(), display) == hit.terms.end()) hit.terms.push_back(display);
}

void BrandMatcher::Impl::Collect(uint32_t n, const MatchScratch::Impl& s, BrandHit& hit) const {
  if (!s.node_value[n]) return;
  const Node& node = nodes[n];
  switch (node.kind) {
    case QueryNode::Kind::kTerm: AddTermHits(node.term, s, hit, nullptr); return;
    case QueryNode::Kind::kAnd:
    case QueryNode::Kind::kOr:
      for (uint32_t i = 0; i < node.child_count; ++i) Collect(children[node.first_child + i], s, hit);
      return;
    case QueryNode::Kind::kNear: CollectWithin(n, n, s, hit); return;
    default: return;  // negations and filters mark no text
  }
}

// Adds the hits of the terms below `n` that lie inside a satisfying
// occurrence of the NEAR node `near`.
void BrandMatcher::Impl::CollectWithin(uint32_t n, uint32_t near, const MatchScratch::Impl& s, BrandHit& hit) const {
  const Node& node = nodes[n];
  if (node.kind == QueryNode::Kind::kTerm) {
    std::vector<Occurrence> within(s.occurrences.begin() + s.occ_begin[near], s.occurrences.begin() + s.occ_end[near]);
    AddTermHits(node.term, s, hit, &within);
    return;
  }
  for (uint32_t i = 0; i < node.child_count; ++i) CollectWithin(children[node.first_child + i], near, s, hit);
}

}  // namespace brandmon::match
