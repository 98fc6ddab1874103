#include "daemon/rules/text_cues.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <unordered_set>

#include "daemon/text/normalize.h"
#include "daemon/text/tokens.h"

namespace brandmon::rules {

namespace {

constexpr std::string_view kRightQuote = "\xE2\x80\x99";

// Appends the folded `word` to `out`; the typographic apostrophe
// folds to "'" so "don’t" is "don't".
void AppendFoldedWord(std::string_view word, std::vector<std::string>& out) {
  std::string& w = out.emplace_back();
  text::AppendFolded(word, &w);
  if (w.find(kRightQuote) == std::string::npos) return;
  std::string apostrophes;
  const std::string_view folded = w;
  for (size_t i = 0; i < w.size();) {
    bool quote = folded.substr(i).starts_with(kRightQuote);
    apostrophes += quote ? '\'' : w[i];
    i += quote ? kRightQuote.size() : 1;
  }
  w = std::move(apostrophes);
}

}  // namespace

void AppendWords(const text::Tokens& tokens, std::vector<std::string>& out) {
  out.reserve(out.size() + tokens.tokens().size());
  for (const text::Token& t : tokens.tokens()) {
    using Kind = text::Token::Kind;
    // The words of a hashtag stay in the hashtag, as one word.
    bool word = (t.kind == Kind::kWord && !t.in_hashtag) || t.kind == Kind::kNumber || t.kind == Kind::kHandle ||
                t.kind == Kind::kHashtag;
    if (word) AppendFoldedWord(t.text, out);
  }
}

void AppendWords(std::string_view text, std::vector<std::string>& out) {
  thread_local text::Tokens tokens;  // its buffers, reused from text to text
  tokens.Reset(text);
  AppendWords(tokens, out);
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  AppendWords(text, words);
  return words;
}

bool ContainsWords(const std::vector<std::string>& words, const Phrase& phrase) {
  if (phrase.empty() || phrase.size() > words.size()) return false;
  return std::search(words.begin(), words.end(), phrase.begin(), phrase.end()) != words.end();
}

void WordSet::insert(std::string_view word) {
  shapes_[FirstByte(word)] |= ShapeBit(word.size());
  words_.emplace(word);
}

void PhraseSet::Add(const Phrase& phrase, uint32_t id) {
  if (phrase.empty() || phrase.front().empty()) return;
  const std::string& first = phrase.front();
  first_word_shapes_[static_cast<unsigned char>(first[0])] |= ShapeBit(first.size());
  by_first_word_[first].push_back({id, Phrase(phrase.begin() + 1, phrase.end())});
  id_count_ = std::max(id_count_, id + 1);
}

void PhraseSet::Find(const std::vector<std::string>& words, std::vector<uint8_t>& found) const {
  if (by_first_word_.empty()) return;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    // Most words start no phrase; their first byte and length say so
    // without hashing them.
    if (word.empty() || !(first_word_shapes_[static_cast<unsigned char>(word[0])] & ShapeBit(word.size()))) continue;
    auto it = by_first_word_.find(word);
    if (it == by_first_word_.end()) continue;
    for (const Entry& e : it->second) {
      if (found[e.id] || e.rest.size() > words.size() - i - 1) continue;
      if (std::equal(e.rest.begin(), e.rest.end(), words.begin() + static_cast<std::ptrdiff_t>(i) + 1)) found[e.id] = 1;
    }
  }
}

bool ContainsPhrase(const std::vector<std::string>& words, std::string_view phrase) {
  return ContainsWords(words, Words(phrase));
}

const std::vector<LanguageCues>& BuiltinCues() {
  static const std::vector<LanguageCues> cues = {
      {"en",
       {"how do i", "how can i", "does anyone know", "anyone know", "can someone", "can anyone", "is there a way",
        "why is", "why does", "why can't", "when will", "where is my", "please help", "help me", "any update",
        "what happened to"},
       {"still waiting", "no response", "no reply", "never received", "never arrived", "not working", "doesn't work",
        "does not work", "stopped working", "not received", "charged twice", "cancel my", "customer service",
        "been on hold", "unacceptable", "worst", "waste of money", "ripped off", "refund"}},
      {"fr",
       {"comment faire", "comment puis-je", "quelqu'un sait", "est-ce que", "pourquoi", "quand est-ce"},
       {"toujours en attente", "toujours pas", "aucune réponse", "pas de réponse", "ne fonctionne pas", "ne marche pas",
        "remboursement", "arnaque", "inadmissible", "service client", "jamais reçu"}},
      {"de",
       {"wie kann ich", "weiß jemand", "kann mir jemand", "warum", "wann kommt"},
       {"warte immer noch", "keine antwort", "funktioniert nicht", "geht nicht", "kaputt", "rückerstattung",
        "nie angekommen", "kundenservice", "unverschämt", "abzocke"}},
      {"es",
       {"cómo puedo", "como puedo", "alguien sabe", "por qué", "por que", "cuándo"},
       {"sigo esperando", "sin respuesta", "no funciona", "reembolso", "estafa", "nunca llegó", "atención al cliente",
        "servicio al cliente", "una vergüenza"}},
      {"it",
       {"come posso", "qualcuno sa", "perché", "quando arriva"},
       {"sto ancora aspettando", "nessuna risposta", "non funziona", "rimborso", "truffa", "mai arrivato",
        "servizio clienti"}},
      {"pt",
       {"como posso", "alguém sabe", "por que", "quando vai"},
       {"ainda esperando", "sem resposta", "não funciona", "reembolso", "golpe", "nunca chegou",
        "atendimento ao cliente"}},
      {"nl",
       {"hoe kan ik", "weet iemand", "waarom", "wanneer komt"},
       {"wacht nog steeds", "geen reactie", "werkt niet", "terugbetaling", "oplichting", "nooit ontvangen",
        "klantenservice"}},
  };
  return cues;
}

std::string PrimaryLanguage(std::string_view lang) {
  std::string primary;
  for (char c : lang.substr(0, lang.find_first_of("-_"))) {
    primary += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return primary;
}

std::vector<const LanguageCues*> CuesFor(std::string_view lang) {
  std::string primary = PrimaryLanguage(lang);
  std::vector<const LanguageCues*> out;
  for (const auto& cues : BuiltinCues()) {
    if (cues.lang == primary) return {&cues};
  }
  for (const auto& cues : BuiltinCues()) out.push_back(&cues);
  return out;
}

namespace {

// Common words of the supported languages and web noise.
constexpr std::string_view kStopwords[] = {
    // English
    "the",
    "and",
    "for",
    "are",
    "but",
    "not",
    "you",
    "all",
    "any",
    "can",
    "her",
    "was",
    "one",
    "our",
    "out",
    "has",
    "have",
    "had",
    "him",
    "his",
    "how",
    "its",
    "may",
    "new",
    "now",
    "old",
    "see",
    "two",
    "who",
    "did",
    "get",
    "got",
    "let",
    "say",
    "she",
    "too",
    "use",
    "this",
    "that",
    "with",
    "from",
    "they",
    "will",
    "would",
    "there",
    "their",
    "what",
    "when",
    "where",
    "which",
    "while",
    "about",
    "into",
    "than",
    "then",
    "them",
    "these",
    "those",
    "your",
    "yours",
    "just",
    "like",
    "been",
    "were",
    "some",
    "more",
    "most",
    "very",
    "also",
    "only",
    "over",
    "such",
    "after",
    "before",
    "because",
    "could",
    "should",
    "does",
    "doing",
    "being",
    "here",
    "again",
    "really",
    "still",
    "even",
    "much",
    "many",
    "why",
    "i'm",
    "it's",
    "don't",
    "can't",
    "won't",
    "didn't",
    "doesn't",
    "isn't",
    "i've",
    "you're",
    "we're",
    "they're",
    "that's",
    "there's",
    "today",
    "yesterday",
    "via",
    "amp",
    "rt",
    // French
    "les",
    "des",
    "une",
    "est",
    "pas",
    "pour",
    "que",
    "qui",
    "dans",
    "sur",
    "avec",
    "sont",
    "mais",
    "plus",
    "par",
    "ont",
    "aux",
    "ses",
    "son",
    "nous",
    "vous",
    "ils",
    "elle",
    "cette",
    "comme",
    "tout",
    "très",
    "été",
    // German
    "der",
    "die",
    "das",
    "und",
    "ist",
    "nicht",
    "ein",
    "eine",
    "mit",
    "auf",
    "für",
    "von",
    "sich",
    "den",
    "dem",
    "des",
    "auch",
    "noch",
    "wie",
    "bei",
    "aus",
    "nach",
    "wir",
    "ihr",
    "sie",
    "ich",
    "aber",
    "oder",
    // Spanish, Italian, Portuguese
    "los",
    "las",
    "del",
    "por",
    "con",
    "una",
    "para",
    "como",
    "pero",
    "más",
    "este",
    "esta",
    "muy",
    "sus",
    "che",
    "non",
    "per",
    "sono",
    "della",
    "gli",
    "nel",
    "uma",
    "com",
    "não",
    "mais",
    "dos",
    "das",
    // Web noise
    "http",
    "https",
    "www",
    "org",
    "net",
    "html",
    "htm",
    "php",
};

}  // namespace

bool IsStopword(std::string_view word) {
  static const WordSet words(std::begin(kStopwords), std::end(kStopwords));
  return words.contains(word);
}

bool HasQuestionMark(std::string_view text) {
  return text.find('?') != std::string_view::npos || text.find("\xC2\xBF") != std::string_view::npos ||
         text.find("\xEF\xBC\x9F") != std::string_view::npos;
}

}  // namespace brandmon::rules
