#include "daemon/rules/text_cues.h"

#include <algorithm>
#include <unordered_set>

namespace brandmon::rules {

namespace {

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

// Typographic punctuation that must not glue words together, as UTF-8.
constexpr std::string_view kRightQuote = "\xE2\x80\x99";
constexpr std::string_view kSeparators[] = {
    "\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x98", "\xE2\x80\x94", "\xE2\x80\x93", "\xE2\x80\xA6",
    "\xC2\xA0",     "\xC2\xBF",     "\xC2\xA1",     "\xC2\xAB",     "\xC2\xBB",     "\xEF\xBC\x9F",
    "\xEF\xBC\x81", "\xE3\x80\x82", "\xEF\xBC\x8C", "\xE3\x80\x81",
};

}  // namespace

std::vector<std::string> Words(std::string_view text) {
  // Normalize first: lowercase ASCII, typographic apostrophe to "'", and
  // typographic punctuation to spaces.
  std::string norm;
  norm.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      char c = text[i++];
      norm += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      continue;
    }
    // Every separator starts with one of these bytes; other bytes are copied.
    if (lead != 0xC2 && lead != 0xE2 && lead != 0xE3 && lead != 0xEF) {
      norm += text[i++];
      continue;
    }
    std::string_view rest = text.substr(i);
    if (rest.starts_with(kRightQuote)) {
      norm += '\'';
      i += kRightQuote.size();
      continue;
    }
    bool separator = false;
    for (std::string_view sep : kSeparators) {
      if (rest.starts_with(sep)) {
        norm += ' ';
        i += sep.size();
        separator = true;
        break;
      }
    }
    if (!separator) norm += text[i++];
  }
  std::vector<std::string> words;
  size_t i = 0;
  while (i < norm.size()) {
    auto c = static_cast<unsigned char>(norm[i]);
    size_t start = i;
    if ((c == '#' || c == '@') && i + 1 < norm.size() && IsWordByte(static_cast<unsigned char>(norm[i + 1]))) {
      ++i;
    } else if (!IsWordByte(c)) {
      ++i;
      continue;
    }
    while (i < norm.size()) {
      auto d = static_cast<unsigned char>(norm[i]);
      bool inner =
          (d == '\'' || d == '-') && i + 1 < norm.size() && IsWordByte(static_cast<unsigned char>(norm[i + 1]));
      if (!IsWordByte(d) && !inner) break;
      ++i;
    }
    words.emplace_back(norm.data() + start, i - start);
  }
  return words;
}

bool ContainsWords(const std::vector<std::string>& words, const Phrase& phrase) {
  if (phrase.empty() || phrase.size() > words.size()) return false;
  return std::search(words.begin(), words.end(), phrase.begin(), phrase.end()) != words.end();
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

bool IsStopword(std::string_view word) {
  static const std::unordered_set<std::string_view> words = {
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
  return words.contains(word);
}

bool HasQuestionMark(std::string_view text) {
  return text.find('?') != std::string_view::npos || text.find("\xC2\xBF") != std::string_view::npos ||
         text.find("\xEF\xBC\x9F") != std::string_view::npos;
}

}  // namespace brandmon::rules
