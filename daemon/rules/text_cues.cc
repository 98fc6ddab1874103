#include "daemon/rules/text_cues.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <unordered_set>

#include "daemon/text/tokens.h"

namespace brandmon::rules {

namespace {

// Whether token `t` is one of the words the rules compare: the words of a
// hashtag stay in the hashtag, as one word.
bool IsRulesWord(const text::Token& t) {
  using Kind = text::Token::Kind;
  return (t.kind == Kind::kWord && !t.in_hashtag) || t.kind == Kind::kNumber || t.kind == Kind::kHandle ||
         t.kind == Kind::kHashtag;
}

}  // namespace

WordList::WordList(std::vector<std::string> words) : words_(std::move(words)) {
  hashes_.reserve(words_.size());
  for (const std::string& w : words_) hashes_.push_back(text::HashWord(w));
}

void AppendWords(const text::Tokens& tokens, WordList& out) {
  out.reserve(out.size() + tokens.tokens().size());
  AppendWords(tokens, 0, tokens.tokens().size(), out);
}

void AppendWords(const text::Tokens& tokens, size_t begin, size_t end, WordList& out) {
  const std::vector<text::Token>& all = tokens.tokens();
  const text::FoldedWords& folded = tokens.Words();
  for (size_t i = begin; i < end; ++i) {
    if (!IsRulesWord(all[i])) continue;
    const text::FoldedWords::Key& k = folded.keys[i];
    out.push_back(folded.Word(k), k.hash);
  }
}

std::vector<std::string> Words(std::string_view text) {
  thread_local text::Tokens tokens;  // its buffers, reused from text to text
  tokens.Reset(text);
  const std::vector<text::Token>& all = tokens.tokens();
  const text::FoldedWords& folded = tokens.Words();
  std::vector<std::string> words;
  for (size_t i = 0; i < all.size(); ++i) {
    if (IsRulesWord(all[i])) words.emplace_back(folded.Word(folded.keys[i]));
  }
  return words;
}

bool ContainsWords(const std::vector<std::string>& words, const Phrase& phrase) {
  if (phrase.empty() || phrase.size() > words.size()) return false;
  return std::search(words.begin(), words.end(), phrase.begin(), phrase.end()) != words.end();
}

void WordSet::insert(std::string_view word) {
  shapes_[FirstByte(word)] |= ShapeBit(word.size());
  hashes_.Add(text::HashWord(word));
  words_.emplace(word);
}

void PhraseSet::Add(const Phrase& phrase, uint32_t id) {
  if (phrase.empty() || phrase.front().empty()) return;
  const std::string& first = phrase.front();
  first_word_shapes_[static_cast<unsigned char>(first[0])] |= ShapeBit(first.size());
  first_word_hashes_.Add(text::HashWord(first));
  by_first_word_[first].push_back({id, Phrase(phrase.begin() + 1, phrase.end())});
  id_count_ = std::max(id_count_, id + 1);
}

void PhraseSet::Find(const WordList& words, std::vector<uint8_t>& found, std::vector<PhraseHit>* hits) const {
  if (by_first_word_.empty()) return;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    // Most words start no phrase; their first byte and length, else their
    // hash, say so without looking them up.
    if (word.empty() || !(first_word_shapes_[static_cast<unsigned char>(word[0])] & ShapeBit(word.size()))) continue;
    const HashedWord hashed = words.at(i);
    if (!first_word_hashes_.MayHold(hashed.hash)) continue;
    auto it = by_first_word_.find(hashed);
    if (it == by_first_word_.end()) continue;
    size_t first_hit = hits ? hits->size() : 0;
    for (const Entry& e : it->second) {
      if ((found[e.id] && !hits) || e.rest.size() > words.size() - i - 1) continue;
      if (!std::equal(e.rest.begin(), e.rest.end(), words.begin() + static_cast<std::ptrdiff_t>(i) + 1)) continue;
      found[e.id] = 1;
      if (!hits) continue;
      PhraseHit hit{e.id, static_cast<uint32_t>(i)};
      // Two phrases of one id may start at one word ("how do i", "how").
      if (std::find(hits->begin() + static_cast<std::ptrdiff_t>(first_hit), hits->end(), hit) == hits->end()) {
        hits->push_back(hit);
      }
    }
    if (hits) {
      std::sort(hits->begin() + static_cast<std::ptrdiff_t>(first_hit), hits->end(),
                [](const PhraseHit& a, const PhraseHit& b) { return a.id < b.id; });
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
        "been on hold", "unacceptable", "worst", "waste of money", "ripped off", "refund"},
       {"i", "i'm", "i've", "i'd", "i'll", "me", "my", "mine", "myself", "we", "we're", "we've", "us", "our", "ours"}},
      {"fr",
       {"comment faire", "comment puis-je", "quelqu'un sait", "est-ce que", "pourquoi", "quand est-ce"},
       {"toujours en attente", "toujours pas", "aucune réponse", "pas de réponse", "ne fonctionne pas", "ne marche pas",
        "remboursement", "arnaque", "inadmissible", "service client", "jamais reçu"},
       {"je", "j'ai", "j'attends", "me", "moi", "mon", "ma", "mes", "nous", "notre", "nos"}},
      {"de",
       {"wie kann ich", "weiß jemand", "kann mir jemand", "warum", "wann kommt"},
       {"warte immer noch", "keine antwort", "funktioniert nicht", "geht nicht", "kaputt", "rückerstattung",
        "nie angekommen", "kundenservice", "unverschämt", "abzocke"},
       {"ich", "mich", "mir", "mein", "meine", "meinen", "meinem", "meiner", "wir", "uns", "unser", "unsere"}},
      {"es",
       {"cómo puedo", "como puedo", "alguien sabe", "por qué", "por que", "cuándo"},
       {"sigo esperando", "sin respuesta", "nadie responde", "no funciona", "sigue sin funcionar", "dejó de funcionar",
        "nunca llegó", "no ha llegado", "reembolso", "estafa", "atención al cliente", "servicio al cliente",
        "una vergüenza"},
       {"yo", "me", "mi", "mis", "mío", "mía", "conmigo", "nosotros", "nosotras", "nuestro", "nuestra", "nuestros",
        "nuestras"}},
      {"it",
       {"come posso", "qualcuno sa", "perché", "quando arriva"},
       {"sto ancora aspettando", "nessuna risposta", "non funziona", "rimborso", "truffa", "mai arrivato",
        "servizio clienti"},
       {"io", "mi", "mio", "mia", "miei", "mie", "noi", "ci", "nostro", "nostra"}},
      {"pt",
       {"como posso", "alguém sabe", "por que", "quando vai"},
       {"ainda esperando", "sem resposta", "não funciona", "reembolso", "golpe", "nunca chegou",
        "atendimento ao cliente"},
       {"eu", "me", "meu", "minha", "meus", "minhas", "nós", "nosso", "nossa"}},
      {"nl",
       {"hoe kan ik", "weet iemand", "waarom", "wanneer komt"},
       {"wacht nog steeds", "geen reactie", "werkt niet", "terugbetaling", "oplichting", "nooit ontvangen",
        "klantenservice"},
       {"ik", "mij", "me", "mijn", "wij", "we", "ons", "onze"}},
      // Hindi in Devanagari and in Latin letters (Hinglish), which mixes in
      // English.
      {"hi",
       {"क्या किसी को पता", "किसी को पता है", "कोई बताएगा", "कैसे करें",       "कैसे करूं",      "कब आएगा",
        "कब मिलेगा",        "कहाँ है",         "कहां है",      "क्यों",         "मदद करें",     "kya kisi ko pata",
        "kisi ko pata",    "koi batayega",  "kaise kare", "kaise karun", "kab aayega", "kab milega",
        "kab tak",         "kahan hai",     "kyun",       "kyu",         "madad karo"},
       {"अभी तक नहीं मिला",
        "अभी तक नहीं आया",
        "नहीं मिला",
        "काम नहीं कर रहा",
        "काम नहीं कर रही",
        "खराब हो गया",
        "खराब हो गई",
        "बेकार",
        "धोखा",
        "रिफंड",
        "पैसे वापस",
        "कोई जवाब नहीं",
        "शिकायत",
        "घटिया",
        "abhi tak nahi",
        "nahi mila",
        "kaam nahi kar raha",
        "kaam nahi kar rahi",
        "kharab ho gaya",
        "kharab ho gayi",
        "bekar",
        "bekaar",
        "dhokha",
        "paise wapas",
        "koi jawab nahi",
        "shikayat",
        "ghatiya"},
       {"मैं",      "मेरा",    "मेरी",    "मेरे",     "मुझे",     "मुझको",   "हम",    "हमारा",  "हमारी",
        "हमारे",   "हमें",     "main",   "mera",   "meri",   "mere",   "mujhe", "mujhko", "hum",
        "hamara", "humara", "hamari", "humari", "hamare", "humare", "hame",  "humein", "hamein"},
       "en"},
      {"gu",
       {"શું કોઈને ખબર", "કોઈને ખબર છે", "કોઈ કહેશે", "ક્યારે આવશે", "ક્યારે મળશે", "ક્યાં છે", "કેવી રીતે", "કેમ", "મદદ કરો"},
       {"હજુ સુધી મળ્યો નથી", "હજુ સુધી મળ્યું નથી", "હજુ સુધી મળી નથી", "મળ્યો નથી", "મળ્યું નથી", "કામ નથી કરતું", "કામ કરતું નથી",
        "બગડી ગયું", "બગડી ગયો", "બગડી ગઈ", "બકવાસ", "છેતરપિંડી", "રિફંડ", "પૈસા પાછા", "કોઈ જવાબ નથી", "ફરિયાદ",
        "ખરાબ અનુભવ"},
       {"હું", "મારો", "મારી", "મારું", "મારા", "મને", "અમે", "અમારો", "અમારી", "અમારું", "અમારા", "અમને"}},
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
    if (cues.lang != primary) continue;
    out.push_back(&cues);
    for (const auto& also : BuiltinCues()) {
      if (!cues.also.empty() && also.lang == cues.also) out.push_back(&also);
    }
    return out;
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

const WordSet& Stopwords() {
  static const WordSet words(std::begin(kStopwords), std::end(kStopwords));
  return words;
}

bool IsStopword(std::string_view word) { return Stopwords().contains(word); }

bool HasQuestionMark(std::string_view text) {
  return text.find('?') != std::string_view::npos || text.find("\xC2\xBF") != std::string_view::npos ||
         text.find("\xEF\xBC\x9F") != std::string_view::npos || text.find("\xD8\x9F") != std::string_view::npos;
}

}  // namespace brandmon::rules
