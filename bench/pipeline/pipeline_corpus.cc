#include "bench/pipeline/pipeline_corpus.h"

#include <random>
#include <string_view>

#include "daemon/base/mention.h"

namespace brandmon::bench {

namespace {

// Everyday words and opinion words per language; a mention is a shuffle of
// these around a brand name, so the scorer and the matcher see the scripts,
// lengths and sentiment mix of real traffic without any real person's text.
struct Language {
  const char* code;
  int weight;  // share of the stream, in percent
  std::vector<std::string_view> neutral;
  std::vector<std::string_view> positive;
  std::vector<std::string_view> negative;
};

const std::vector<Language>& Languages() {
  static const std::vector<Language> langs = {
      {"en",
       36,
       {"the",  "my",      "new",   "order",    "arrived", "today", "after", "three", "days",   "and",
        "the",  "support", "team",  "said",     "they",    "would", "call",  "back",  "kettle", "phone",
        "app",  "update",  "store", "delivery", "price",   "again", "still", "just",  "got",    "from",
        "with", "for",     "this",  "week",     "really",  "very",  "so"},
       {"love", "great", "amazing", "excellent", "happy", "best", "awesome", "recommend", "perfect", "fast"},
       {"terrible", "broken", "awful", "hate", "worst", "refund", "useless", "angry", "disappointed", "scam"}},
      {"es",
       15,
       {"el",   "la",       "pedido",  "llegó", "hoy",  "después",   "de",     "tres",     "días",   "y",
        "el",   "servicio", "dijo",    "que",   "me",   "llamarían", "nuevo",  "teléfono", "tienda", "precio",
        "otra", "vez",      "todavía", "con",   "para", "esta",      "semana", "muy"},
       {"excelente", "genial", "encanta", "perfecto", "feliz", "recomiendo", "rápido", "mejor"},
       {"pésimo", "horrible", "roto", "odio", "peor", "estafa", "decepcionado", "lento", "nunca"}},
      {"pt",
       7,
       {"o",     "meu", "pedido",  "chegou", "hoje", "depois", "de",       "três", "dias",
        "e",     "o",   "suporte", "disse",  "que",  "novo",   "telefone", "loja", "preço",
        "outra", "vez", "ainda",   "com",    "para", "esta",   "semana",   "muito"},
       {"ótimo", "excelente", "adoro", "perfeito", "feliz", "recomendo", "rápido", "melhor"},
       {"péssimo", "horrível", "quebrado", "odeio", "pior", "golpe", "decepcionado", "lento"}},
      {"fr",
       6,
       {"la",      "commande", "est",     "arrivée", "aujourd'hui", "après", "trois",   "jours",
        "et",      "le",       "service", "client",  "a",           "dit",   "nouveau", "téléphone",
        "magasin", "prix",     "encore",  "avec",    "pour",        "cette", "semaine", "très"},
       {"excellent", "génial", "adore", "parfait", "content", "recommande", "rapide", "meilleur"},
       {"nul", "horrible", "cassé", "déteste", "pire", "arnaque", "déçu", "lent"}},
      {"hi",
       12,
       {"मेरा", "नया", "ऑर्डर", "आज",  "तीन",  "दिन",  "बाद", "आया", "और",  "सपोर्ट", "टीम", "ने",   "कहा",
        "कि",  "वे",   "फ़ोन",  "करेंगे", "दुकान", "कीमत", "फिर", "से",   "अभी", "भी",    "इस",  "हफ़्ते", "बहुत"},
       {"अच्छा", "शानदार", "बढ़िया", "पसंद", "खुश", "बेहतरीन", "तेज़"},
       {"खराब", "बेकार", "टूटा", "नफ़रत", "घटिया", "धोखा", "नाराज़", "धीमा"}},
      {"hi-latn",
       10,
       {"mera", "naya",  "order",   "aaj",    "teen",  "din",  "baad", "aaya", "aur", "support", "team",  "ne",  "kaha",
        "ki",   "phone", "karenge", "dukaan", "price", "phir", "se",   "abhi", "bhi", "is",      "hafte", "yaar"},
       {"accha", "badhiya", "mast", "pasand", "khush", "zabardast", "shandaar"},
       {"bekaar", "kharab", "ghatiya", "toota", "bakwas", "dhokha", "naraz"}},
      {"gu",
       14,
       {"મારો", "નવો", "ઓર્ડર", "આજે",  "ત્રણ",  "દિવસ", "પછી",   "આવ્યો", "અને", "સપોર્ટ", "ટીમે",     "કહ્યું",
        "કે",    "તેઓ",  "ફોન",  "કરશે", "દુકાન", "કિંમત", "ફરીથી", "હજુ",   "પણ", "આ",     "અઠવાડિયે", "ખૂબ"},
       {"સરસ", "સુંદર", "ગમ્યું", "ખુશ", "શ્રેષ્ઠ", "ઝડપી", "મજા"},
       {"ખરાબ", "બગડી", "તૂટ્યું", "નકામું", "ગુસ્સો", "ધીમું", "છેતરપિંડી"}},
  };
  return langs;
}

constexpr std::string_view kEmojiPositive[] = {"😍", "👍", "🙂", "❤️", "🎉"};
constexpr std::string_view kEmojiNegative[] = {"😡", "👎", "😞", "🤬", "💔"};
constexpr std::string_view kChannels[] = {"x", "reddit", "youtube", "rss", "forum"};

std::string BrandName(size_t i) {
  static const char* kParts[] = {"ac", "me", "glo", "bex", "ini", "tech", "um", "bra", "so", "ly", "vex", "ta"};
  std::string name;
  size_t n = i + 14;
  while (n > 0) {
    name += kParts[n % 12];
    n /= 12;
  }
  return name;
}

template <typename T>
const T& Pick(const std::vector<T>& v, std::mt19937_64& rng) {
  return v[rng() % v.size()];
}

std::string MakeText(const Language& lang, const std::string& brand, std::mt19937_64& rng, int mood) {
  size_t words = 6 + rng() % 30;
  size_t brand_at = brand.empty() ? words : rng() % words;
  std::string text;
  for (size_t w = 0; w < words; ++w) {
    if (!text.empty()) text += ' ';
    if (w == brand_at) {
      int form = static_cast<int>(rng() % 10);
      text += form == 0 ? "#" + brand : form == 1 ? "@" + brand : brand;
      continue;
    }
    bool opinion = rng() % 6 == 0;
    if (opinion && mood > 0) {
      text += Pick(lang.positive, rng);
    } else if (opinion && mood < 0) {
      text += Pick(lang.negative, rng);
    } else {
      text += Pick(lang.neutral, rng);
    }
  }
  if (mood != 0 && rng() % 3 == 0) {
    text += ' ';
    text += mood > 0 ? kEmojiPositive[rng() % 5] : kEmojiNegative[rng() % 5];
  }
  if (rng() % 8 == 0) text += " https://example.com/p/" + std::to_string(rng() % 100000);
  if (rng() % 6 == 0) text += rng() % 4 ? "!" : "?";
  return text;
}

}  // namespace

PipelineCorpus GenerateCorpus(size_t mentions, size_t batch, size_t brand_count, uint64_t seed) {
  PipelineCorpus corpus;
  for (size_t i = 0; i < brand_count; ++i) {
    std::string n = BrandName(i);
    corpus.brands.push_back({n, n + " OR #" + n + " OR @" + n + " OR \"" + n + " support\""});
  }
  std::mt19937_64 rng(seed);
  const auto& langs = Languages();
  int total_weight = 0;
  for (const auto& l : langs) total_weight += l.weight;
  if (batch == 0) batch = 1;
  for (size_t i = 0; i < mentions; ++i) {
    size_t poll = i / batch;
    if (corpus.polls.size() <= poll) corpus.polls.emplace_back();
    int r = static_cast<int>(rng() % static_cast<uint64_t>(total_weight));
    const Language* lang = &langs.back();
    for (const auto& l : langs) {
      if (r < l.weight) {
        lang = &l;
        break;
      }
      r -= l.weight;
    }
    // Six in ten name a brand; a few brands get most of the talk.
    std::string brand;
    if (rng() % 10 < 6 && brand_count > 0) {
      size_t b = rng() % 2 ? rng() % std::min<size_t>(brand_count, 3) : rng() % brand_count;
      brand = corpus.brands[b].name;
    }
    int mood = static_cast<int>(rng() % 5) - 2;  // -2..2: negative, neutral, positive
    mood = mood < 0 ? -1 : mood > 0 ? 1 : 0;

    Mention m;
    m.channel = std::string(kChannels[rng() % std::size(kChannels)]);
    m.id = "p" + std::to_string(poll) + "-" + std::to_string(i % batch);
    m.url = "https://" + m.channel + ".example/post/" + std::to_string(i);
    m.author = "@user" + std::to_string(rng() % 5000);
    m.text = MakeText(*lang, brand, rng, mood);
    if (rng() % 5 == 0) m.title = MakeText(*lang, "", rng, 0);
    m.published = WallTime(std::chrono::seconds(1795000000 + static_cast<int64_t>(i)));
    // Reach is long-tailed: most authors have a few hundred followers.
    uint64_t tier = rng() % 100;
    m.SetMetric("followers", static_cast<double>(rng() % (tier < 85 ? 600 : tier < 98 ? 5000 : 200000)));
    if (rng() % 2) m.SetMetric("likes", static_cast<double>(rng() % 500));
    std::string line = MentionToJson(m);
    corpus.bytes += line.size();
    corpus.polls[poll].push_back(std::move(line));
    ++corpus.mention_count;
  }
  return corpus;
}

size_t PollOfId(const std::string& id) {
  size_t dash = id.find('-');
  if (id.size() < 2 || id[0] != 'p' || dash == std::string::npos) return 0;
  return static_cast<size_t>(std::stoull(id.substr(1, dash - 1)));
}

}  // namespace brandmon::bench
