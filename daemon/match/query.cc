#include "daemon/match/query.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

#include "daemon/text/fold.h"

namespace brandmon::match {

namespace {

constexpr std::string_view kFieldList = "title, author, url, site, lang, channel";

struct Token {
  enum class Kind { kWord, kPhrase, kLParen, kRParen, kOr, kAnd, kNot, kMinus, kNear, kField, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;  // word or phrase without quotes and '*'; field name; operator as written
  bool wildcard = false;
  int distance = 0;
  size_t offset = 0;
};

struct Fault {
  size_t offset;
  std::string message;
};

// Decodes the code point at q[i] for the checks below; returns its length or
// 0 when the bytes are not UTF-8.
size_t Utf8At(std::string_view q, size_t i, char32_t* cp) {
  auto b0 = static_cast<unsigned char>(q[i]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len = (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
  if (len == 0 || i + len > q.size()) return 0;
  char32_t c = b0 & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(q[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kMin[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  return len;
}

std::optional<Fault> CheckBytes(std::string_view q) {
  for (size_t i = 0; i < q.size();) {
    char32_t cp = 0;
    size_t len = Utf8At(q, i, &cp);
    if (len == 0) return Fault{i, "invalid utf-8 in query"};
    if (cp == 0) return Fault{i, "nul byte in query"};
    if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp < 0xA0)) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(cp));
      return Fault{i, std::string("control character ") + hex + " in query"};
    }
    i += len;
  }
  return std::nullopt;
}

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Splits a query into tokens. Words end at white space, parentheses and
// quotes; "-" right before a word negates it; "name:" with a known field name
// is a field token whose value follows without a space.
class Lexer {
 public:
  explicit Lexer(std::string_view q) : q_(q) {}

  std::optional<Fault> Next(Token* tok) {
    *tok = Token{};
    after_field_ = std::exchange(field_pending_, false);
    if (!after_field_) SkipSpace();
    tok->offset = pos_;
    if (pos_ >= q_.size()) return std::nullopt;
    char c = q_[pos_];
    if (c == '(' || c == ')') {
      tok->kind = c == '(' ? Token::Kind::kLParen : Token::Kind::kRParen;
      ++pos_;
      return std::nullopt;
    }
    if (c == '"') return Phrase(tok);
    if (c == '-' && pos_ + 1 < q_.size() && !IsSpaceAt(pos_ + 1) && q_[pos_ + 1] != ')') {
      tok->kind = Token::Kind::kMinus;
      ++pos_;
      return std::nullopt;
    }
    return Word(tok);
  }

 private:
  bool IsSpaceAt(size_t i) const {
    if (IsAsciiSpace(q_[i])) return true;
    char32_t cp = 0;
    return Utf8At(q_, i, &cp) > 1 && u_isUWhiteSpace(static_cast<UChar32>(cp));
  }

  void SkipSpace() {
    while (pos_ < q_.size() && IsSpaceAt(pos_)) {
      char32_t cp = 0;
      pos_ += std::max<size_t>(1, Utf8At(q_, pos_, &cp));
    }
  }

  std::optional<Fault> Phrase(Token* tok) {
    size_t close = q_.find('"', pos_ + 1);
    if (close == std::string_view::npos) return Fault{pos_, "unterminated phrase"};
    std::string_view body = q_.substr(pos_ + 1, close - pos_ - 1);
    tok->kind = Token::Kind::kPhrase;
    if (auto e = Wildcard(body, pos_ + 1, tok)) return e;
    pos_ = close + 1;
    return std::nullopt;
  }

  // Sets tok->text and tok->wildcard from `body`, which starts at `offset`.
  static std::optional<Fault> Wildcard(std::string_view body, size_t offset, Token* tok) {
    size_t star = body.find('*');
    if (star != std::string_view::npos && star + 1 != body.size()) {
      return Fault{offset + star, "wildcard '*' is only allowed at the end of a term"};
    }
    tok->wildcard = star != std::string_view::npos;
    tok->text = std::string(tok->wildcard ? body.substr(0, star) : body);
    return std::nullopt;
  }

  std::optional<Fault> Word(Token* tok) {
    size_t end = pos_;
    while (end < q_.size() && !IsSpaceAt(end) && q_[end] != '(' && q_[end] != ')' && q_[end] != '"') {
      char32_t cp = 0;
      end += std::max<size_t>(1, Utf8At(q_, end, &cp));
    }
    std::string_view word = q_.substr(pos_, end - pos_);
    if (!after_field_) {
      if (word == "OR" || word == "AND" || word == "NOT") {
        tok->kind = word == "OR" ? Token::Kind::kOr : word == "AND" ? Token::Kind::kAnd : Token::Kind::kNot;
        tok->text = std::string(word);
        pos_ = end;
        return std::nullopt;
      }
      if (word == "NEAR" || word.starts_with("NEAR/")) return Near(word, tok, end);
      if (auto field = FieldName(word)) {
        if (field->empty()) return Fault{pos_, UnknownField(word)};
        tok->kind = Token::Kind::kField;
        tok->text = *field;
        pos_ += field->size() + 1;
        if (pos_ >= q_.size() || IsSpaceAt(pos_) || q_[pos_] == ')') {
          return Fault{tok->offset, "missing value after '" + *field + ":'"};
        }
        field_pending_ = true;
        return std::nullopt;
      }
    }
    tok->kind = Token::Kind::kWord;
    if (auto e = Wildcard(word, pos_, tok)) return e;
    pos_ = end;
    return std::nullopt;
  }

  std::optional<Fault> Near(std::string_view word, Token* tok, size_t end) {
    std::string_view digits = word.size() > 5 ? word.substr(5) : std::string_view();
    if (digits.empty() || digits.size() > 6 ||
        !std::all_of(digits.begin(), digits.end(), [](char d) { return d >= '0' && d <= '9'; })) {
      return Fault{pos_, "expected a distance after NEAR, like NEAR/3"};
    }
    int n = std::stoi(std::string(digits));
    if (n < 1 || n > kMaxNearDistance) {
      return Fault{pos_ + 5, "NEAR distance must be between 1 and " + std::to_string(kMaxNearDistance) + ", got " +
                                 std::string(digits)};
    }
    tok->kind = Token::Kind::kNear;
    tok->text = std::string(word);
    tok->distance = n;
    pos_ = end;
    return std::nullopt;
  }

  // For "name:value": the lower-case field name, "" when `name` is an
  // unknown field, nullopt when the word is no field at all (no colon, a URL
  // like "https://...", or a name with other than letters, as in "10:30").
  static std::optional<std::string> FieldName(std::string_view word) {
    size_t colon = word.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    std::string name;
    for (char ch : word.substr(0, colon)) {
      if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) return std::nullopt;
      name.push_back(static_cast<char>(ch | 0x20));
    }
    for (std::string_view known : {"title", "author", "url", "site", "lang", "channel"}) {
      if (name == known) return name;
    }
    if (word.substr(colon + 1).starts_with("//")) return std::nullopt;
    return std::string();
  }

  static std::string UnknownField(std::string_view word) {
    return "unknown field '" + std::string(word.substr(0, word.find(':'))) + "' (fields: " + std::string(kFieldList) +
           ")";
  }

  std::string_view q_;
  size_t pos_ = 0;
  bool field_pending_ = false;
  bool after_field_ = false;
};

// Three-valued truth, for "can the query match with none of its terms?".
enum class Truth { kFalse, kUnknown, kTrue };

Truth WithoutTerms(const QueryNode& n) {
  switch (n.kind) {
    case QueryNode::Kind::kTerm:
    case QueryNode::Kind::kSite:
    case QueryNode::Kind::kNear: return Truth::kFalse;
    case QueryNode::Kind::kLang:
    case QueryNode::Kind::kChannel: return Truth::kUnknown;
    case QueryNode::Kind::kNot: {
      Truth t = WithoutTerms(n.children[0]);
      return t == Truth::kTrue ? Truth::kFalse : t == Truth::kFalse ? Truth::kTrue : Truth::kUnknown;
    }
    case QueryNode::Kind::kAnd:
    case QueryNode::Kind::kOr: {
      bool is_and = n.kind == QueryNode::Kind::kAnd;
      Truth dominant = is_and ? Truth::kFalse : Truth::kTrue;
      bool all_neutral = true;
      for (const auto& c : n.children) {
        Truth t = WithoutTerms(c);
        if (t == dominant) return dominant;
        if (t == Truth::kUnknown) all_neutral = false;
      }
      return all_neutral ? (is_and ? Truth::kTrue : Truth::kFalse) : Truth::kUnknown;
    }
  }
  return Truth::kUnknown;
}

bool NearOperand(const QueryNode& n) {
  if (n.kind == QueryNode::Kind::kTerm || n.kind == QueryNode::Kind::kNear) return true;
  if (n.kind != QueryNode::Kind::kOr) return false;
  return std::all_of(n.children.begin(), n.children.end(), NearOperand);
}

std::string Describe(const Token& t) {
  switch (t.kind) {
    case Token::Kind::kOr:
    case Token::Kind::kAnd:
    case Token::Kind::kNot:
    case Token::Kind::kNear: return "'" + t.text + "'";
    case Token::Kind::kMinus: return "'-'";
    case Token::Kind::kField: return "'" + t.text + ":'";
    default: return "'" + t.text + "'";
  }
}

class Parser {
 public:
  explicit Parser(std::string_view q) : q_(q), lex_(q) {}

  Result<QueryNode> Parse() {
    QueryNode root;
    if (!Advance()) return Fail();
    if (tok_.kind == Token::Kind::kEnd) return Status::InvalidArgument("1:1: empty query");
    if (!ParseOr(0, Scope::kDefault, &root)) return Fail();
    if (tok_.kind == Token::Kind::kRParen) return Fail(Fault{tok_.offset, "unbalanced parenthesis"});
    if (tok_.kind != Token::Kind::kEnd) return Fail(Fault{tok_.offset, "unexpected " + Describe(tok_)});
    if (WithoutTerms(root) != Truth::kFalse) {
      return Fail(Fault{0, "query can match without any of its terms: it needs a term outside NOT"});
    }
    return root;
  }

 private:
  Status Fail() { return Status::InvalidArgument(PositionOf(q_, error_->offset) + ": " + error_->message); }
  Status Fail(Fault e) {
    error_ = std::move(e);
    return Fail();
  }
  bool SetError(size_t offset, std::string message) {
    error_ = Fault{offset, std::move(message)};
    return false;
  }

  bool Advance() {
    if (auto e = lex_.Next(&tok_)) {
      error_ = std::move(e);
      return false;
    }
    return true;
  }

  bool StartsOperand() const {
    switch (tok_.kind) {
      case Token::Kind::kWord:
      case Token::Kind::kPhrase:
      case Token::Kind::kLParen:
      case Token::Kind::kNot:
      case Token::Kind::kMinus:
      case Token::Kind::kField: return true;
      default: return false;
    }
  }

  // Makes `kind` of `parts`, flattening nested nodes of the same kind.
  bool Combine(QueryNode::Kind kind, std::vector<QueryNode> parts, QueryNode* out) {
    if (parts.size() == 1) {
      *out = std::move(parts[0]);
      return true;
    }
    QueryNode n;
    n.kind = kind;
    n.offset = parts[0].offset;
    for (auto& p : parts) {
      if (p.kind == kind) {
        for (auto& c : p.children) n.children.push_back(std::move(c));
      } else {
        n.children.push_back(std::move(p));
      }
    }
    for (const auto& c : n.children) n.height = std::max(n.height, c.height + 1);
    *out = std::move(n);
    return true;
  }

  bool ParseOr(int depth, Scope scope, QueryNode* out) {
    std::vector<QueryNode> parts(1);
    if (!ParseAnd(depth, scope, &parts[0])) return false;
    while (tok_.kind == Token::Kind::kOr) {
      if (!Advance()) return false;
      if (!StartsOperand()) return SetError(tok_.offset, "expected a term after 'OR'");
      if (!ParseAnd(depth, scope, &parts.emplace_back())) return false;
    }
    return Combine(QueryNode::Kind::kOr, std::move(parts), out);
  }

  bool ParseAnd(int depth, Scope scope, QueryNode* out) {
    std::vector<QueryNode> parts(1);
    if (!ParseNot(depth, scope, &parts[0])) return false;
    while (true) {
      if (tok_.kind == Token::Kind::kAnd) {
        if (!Advance()) return false;
        if (!StartsOperand()) return SetError(tok_.offset, "expected a term after 'AND'");
      } else if (!StartsOperand()) {
        break;
      }
      if (!ParseNot(depth, scope, &parts.emplace_back())) return false;
    }
    return Combine(QueryNode::Kind::kAnd, std::move(parts), out);
  }

  bool ParseNot(int depth, Scope scope, QueryNode* out) {
    if (tok_.kind != Token::Kind::kNot && tok_.kind != Token::Kind::kMinus) return ParseNear(depth, scope, out);
    Token op = tok_;
    if (depth >= kMaxQueryDepth) return DepthError(op.offset);
    if (!Advance()) return false;
    if (!StartsOperand()) return SetError(tok_.offset, "expected a term after " + Describe(op));
    QueryNode n;
    n.kind = QueryNode::Kind::kNot;
    n.offset = op.offset;
    if (!ParseNot(depth + 1, scope, &n.children.emplace_back())) return false;
    n.height = n.children[0].height + 1;
    *out = std::move(n);
    return true;
  }

  bool ParseNear(int depth, Scope scope, QueryNode* out) {
    if (!ParsePrimary(depth, scope, out)) return false;
    while (tok_.kind == Token::Kind::kNear) {
      Token op = tok_;
      if (!NearOperand(*out)) return SetError(out->offset, NearMessage(op));
      if (!Advance()) return false;
      if (!StartsOperand()) return SetError(tok_.offset, "expected a term after " + Describe(op));
      if (tok_.kind == Token::Kind::kNot || tok_.kind == Token::Kind::kMinus) {
        return SetError(tok_.offset, NearMessage(op));
      }
      QueryNode right;
      if (!ParsePrimary(depth, scope, &right)) return false;
      if (!NearOperand(right)) return SetError(right.offset, NearMessage(op));
      QueryNode n;
      n.kind = QueryNode::Kind::kNear;
      n.distance = op.distance;
      n.offset = out->offset;
      n.height = std::max(out->height, right.height) + 1;
      if (n.height > kMaxQueryDepth) return DepthError(op.offset);
      n.children.push_back(std::move(*out));
      n.children.push_back(std::move(right));
      *out = std::move(n);
    }
    return true;
  }

  static std::string NearMessage(const Token& op) {
    return "'" + op.text + "' needs terms, phrases or OR groups of them on both sides";
  }

  bool DepthError(size_t offset) {
    return SetError(offset, "query nests deeper than " + std::to_string(kMaxQueryDepth) + " levels");
  }

  bool ParsePrimary(int depth, Scope scope, QueryNode* out) {
    switch (tok_.kind) {
      case Token::Kind::kLParen: return ParseGroup(depth, scope, out);
      case Token::Kind::kWord:
      case Token::Kind::kPhrase: return ParseTerm(scope, out);
      case Token::Kind::kField: return ParseField(depth, scope, out);
      case Token::Kind::kRParen: return SetError(tok_.offset, "unbalanced parenthesis");
      case Token::Kind::kEnd: return SetError(tok_.offset, "unexpected end of query");
      default: return SetError(tok_.offset, Describe(tok_) + " needs a term before it");
    }
  }

  bool ParseGroup(int depth, Scope scope, QueryNode* out) {
    size_t open = tok_.offset;
    if (depth >= kMaxQueryDepth) return DepthError(open);
    if (!Advance()) return false;
    if (tok_.kind == Token::Kind::kRParen) return SetError(open, "empty parentheses");
    if (!ParseOr(depth + 1, scope, out)) return false;
    if (tok_.kind != Token::Kind::kRParen) return SetError(open, "unbalanced parenthesis");
    out->offset = open;
    return Advance();
  }

  bool ParseTerm(Scope scope, QueryNode* out) {
    const Token& t = tok_;
    QueryNode n;
    n.kind = QueryNode::Kind::kTerm;
    n.text = t.text;
    n.phrase = t.kind == Token::Kind::kPhrase;
    n.wildcard = t.wildcard;
    n.scope = scope;
    n.offset = t.offset;
    if (!text::HasWordChar(n.text)) {
      if (n.phrase && n.text.empty()) return SetError(t.offset, "empty phrase");
      if (n.text.empty()) return SetError(t.offset, "wildcard '*' needs a term before it");
      if (n.text[0] == '#') return SetError(t.offset, "hashtag needs a name after '#'");
      if (n.text[0] == '@') return SetError(t.offset, "handle needs a name after '@'");
      return SetError(t.offset, (n.phrase ? "phrase \"" : "term '") + n.text + (n.phrase ? "\"" : "'") +
                                    " has no letters or digits");
    }
    if (n.wildcard && WordChars(n.text) < 2) {
      return SetError(t.offset, "wildcard needs at least 2 letters before '*'");
    }
    *out = std::move(n);
    return Advance();
  }

  static size_t WordChars(std::string_view s) {
    size_t count = 0;
    for (size_t i = 0; i < s.size();) {
      char32_t cp = 0;
      size_t len = std::max<size_t>(1, Utf8At(s, i, &cp));
      if (text::CharFlagsOf(cp) & text::kWordChar) ++count;
      i += len;
    }
    return count;
  }

  bool ParseField(int depth, Scope scope, QueryNode* out) {
    Token field = tok_;
    if (!Advance()) return false;
    const std::string& name = field.text;
    if (name == "lang" || name == "channel" || name == "site") {
      if (scope != Scope::kDefault) return SetError(field.offset, "'" + name + ":' cannot be inside a field scope");
      return ParseFilter(field, out);
    }
    if (scope != Scope::kDefault) return SetError(field.offset, "field scopes cannot be nested");
    Scope inner = name == "title" ? Scope::kTitle : name == "author" ? Scope::kAuthor : Scope::kUrl;
    if (tok_.kind != Token::Kind::kWord && tok_.kind != Token::Kind::kPhrase && tok_.kind != Token::Kind::kLParen) {
      return SetError(tok_.offset, "expected a term, phrase or group after '" + name + ":'");
    }
    if (!ParsePrimary(depth, inner, out)) return false;
    out->offset = field.offset;
    return true;
  }

  bool ParseFilter(const Token& field, QueryNode* out) {
    const std::string& name = field.text;
    if (tok_.kind != Token::Kind::kWord || tok_.wildcard) {
      return SetError(tok_.offset, "expected a plain value after '" + name + ":'");
    }
    std::string value = tok_.text;
    for (char& c : value) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
    }
    QueryNode n;
    n.offset = field.offset;
    n.text = value;
    if (name == "lang") {
      n.kind = QueryNode::Kind::kLang;
      if (!IsLanguageCode(value))
        return SetError(tok_.offset, "expected a language code like lang:es, got '" + value + "'");
    } else if (name == "channel") {
      n.kind = QueryNode::Kind::kChannel;
      if (!IsName(value))
        return SetError(tok_.offset, "expected a channel name like channel:reddit, got '" + value + "'");
    } else {
      n.kind = QueryNode::Kind::kSite;
      if (!IsHost(value)) return SetError(tok_.offset, "expected a host like site:acme.com, got '" + value + "'");
    }
    *out = std::move(n);
    return Advance();
  }

  static bool IsAsciiAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

  // BCP 47 shaped: "es", "pt-br", "zh-hant".
  static bool IsLanguageCode(std::string_view v) {
    size_t dash = v.find('-');
    std::string_view primary = v.substr(0, dash);
    if (primary.size() < 2 || primary.size() > 3) return false;
    if (!std::all_of(primary.begin(), primary.end(), [](char c) { return c >= 'a' && c <= 'z'; })) return false;
    if (dash == std::string_view::npos) return true;
    std::string_view rest = v.substr(dash + 1);
    return !rest.empty() && rest.size() <= 16 && rest.back() != '-' &&
           std::all_of(rest.begin(), rest.end(), [](char c) { return IsAsciiAlnum(c) || c == '-'; });
  }

  static bool IsName(std::string_view v) {
    return !v.empty() && v.size() <= 64 &&
           std::all_of(v.begin(), v.end(), [](char c) { return IsAsciiAlnum(c) || c == '_' || c == '-' || c == '.'; });
  }

  static bool IsHost(std::string_view v) {
    if (v.empty() || v.size() > 253 || v.front() == '.' || v.back() == '.' || v.find("..") != std::string_view::npos) {
      return false;
    }
    return std::all_of(v.begin(), v.end(), [](char c) {
      return IsAsciiAlnum(c) || c == '-' || c == '.' || static_cast<unsigned char>(c) >= 0x80;
    });
  }

  std::string_view q_;
  Lexer lex_;
  Token tok_;
  std::optional<Fault> error_;
};

void Write(const QueryNode& n, std::string& out) {
  switch (n.kind) {
    case QueryNode::Kind::kTerm:
      if (n.scope == Scope::kTitle) out += "title:";
      if (n.scope == Scope::kAuthor) out += "author:";
      if (n.scope == Scope::kUrl) out += "url:";
      out += n.phrase ? "\"" + n.text + "\"" : n.text;
      if (n.wildcard) out += '*';
      return;
    case QueryNode::Kind::kLang: out += "lang:" + n.text; return;
    case QueryNode::Kind::kChannel: out += "channel:" + n.text; return;
    case QueryNode::Kind::kSite: out += "site:" + n.text; return;
    case QueryNode::Kind::kAnd: out += "(AND"; break;
    case QueryNode::Kind::kOr: out += "(OR"; break;
    case QueryNode::Kind::kNot: out += "(NOT"; break;
    case QueryNode::Kind::kNear: out += "(NEAR/" + std::to_string(n.distance); break;
  }
  for (const auto& c : n.children) {
    out += ' ';
    Write(c, out);
  }
  out += ')';
}

}  // namespace

std::string PositionOf(std::string_view query, size_t offset) {
  offset = std::min(offset, query.size());
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset; ++i) {
    auto b = static_cast<unsigned char>(query[i]);
    if (b == '\n') {
      ++line;
      col = 1;
    } else if ((b & 0xC0) != 0x80) {
      ++col;
    }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

Result<QueryNode> ParseQuery(std::string_view query) {
  if (query.size() > kMaxQueryBytes) {
    return Status::InvalidArgument("1:1: query is " + std::to_string(query.size()) + " bytes, more than the limit of " +
                                   std::to_string(kMaxQueryBytes));
  }
  if (auto e = CheckBytes(query)) return Status::InvalidArgument(PositionOf(query, e->offset) + ": " + e->message);
  return Parser(query).Parse();
}

std::string ToString(const QueryNode& node) {
  std::string out;
  Write(node, out);
  return out;
}

}  // namespace brandmon::match
