#!/usr/bin/env python3
"""Adjusts a language's lexicon with the evidence of labelled tweets (UMSAB train splits).

Used by build_lexicons.py --train DIR; runnable on its own to see what it learns:
  python3 data/tools/learn_lexicons.py --train DIR --lang es --data data/sentiment

Every word of the train split is counted once per tweet in the negative, neutral
and positive tweets (words after a negator, handles, URLs and names are left out).
A word's learned valence is the mean label of its tweets (-1, 0, +1) times SCALE,
shrunk toward the valence the lexicon already gives it, worth PRIOR tweets:

  valence = (SCALE * (pos - neg) + PRIOR * old) / (pos + neu + neg + PRIOR)

so a word seen in few tweets keeps the machine-translated valence, a word seen
in many takes the valence its tweets give it, and a word as common in neutral
tweets as in polar ones drifts toward 0; a word whose tweets contradict its
rating (the valence changes sign) is rated 0. A word the lexicon lacks is learned
only when the analyzer rates it anyway, through an inflection rule (Spanish
"maravillosa" from "maravilloso") or, in Latin script, in English (German
"war", was; "love" in a Spanish tweet), and only from MIN_TWEETS tweets on:
that rating is its prior. Entries that end weaker than DROP are left out, or
written as 0 when the analyzer would otherwise rate the word, which stops
that reading (a word that carries nothing must not make a neutral text
polar). Words with no rating at all are never added: what leans one way in
a few thousand tweets without a rating of its own is their topics (a
country, a team, a phone maker), not sentiment. Words the rules handle
(negators, boosters, contrast words, stopwords) and the hand-written
core.tsv words are never learned: the rules and core.tsv are the reviewed
layer above the learned one.

Only the train split is read; the validation split is for checking, never for
learning.
"""
import argparse
import collections
import os
import re
import unicodedata

SCALE = 2.0     # valence of a word whose every tweet has the same polarity
PRIOR = 4.0     # how many tweets the lexicon's own valence is worth
DROP = 0.8      # learned entries weaker than this are dropped
MIN_TWEETS = 3  # a word the lexicon lacks needs this many tweets
NAME_SHARE = 0.5  # a word written Title-case mid-sentence this often is a name
NEGATION_SPAN = 3  # words after a negator whose polarity the negator may flip

URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
HANDLE = re.compile(r"@\w+")
HASHTAG = re.compile(r"#(\w+)")
WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def key(term):
    return unicodedata.normalize("NFKC", term).lower().strip()


def words_of(text):
    """The tweet's words as (key, written Title-case after its first word)."""
    text = HANDLE.sub(" ", URL.sub(" ", text))

    def split_tag(m):
        body = m.group(1)
        if body.isascii() and body != body.lower() and body != body.upper():
            return " " + " ".join(p.lower() for p in CAMEL.findall(body)) + " "
        return " " + body.lower() + " "

    text = HASHTAG.sub(split_tag, text)
    out = []
    for i, m in enumerate(WORD.finditer(text)):
        w = m.group(0)
        if w.isdigit():
            continue
        title = i > 0 and w[:1].isupper() and w[1:2].islower()
        out.append((key(w), title))
    return out


def read_split(path):
    """(text, label) per `text<TAB>neg|neu|pos` line; other lines are skipped."""
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            text, _, label = line.rstrip("\n").rpartition("\t")
            if label in ("neg", "neu", "pos"):
                rows.append((text, {"neg": -1, "neu": 0, "pos": 1}[label]))
    return rows


def count(rows, negators):
    """Per word: tweets by label (-1, 0, 1) and how often it was written Title-case."""
    by_label = collections.defaultdict(lambda: [0, 0, 0])
    titles = collections.Counter()
    seen_total = collections.Counter()
    for text, label in rows:
        seen = set()
        since_negator = NEGATION_SPAN + 1
        for w, title in words_of(text):
            since_negator += 1
            if w in negators:
                since_negator = 0
                continue
            seen_total[w] += 1
            titles[w] += title
            if since_negator <= NEGATION_SPAN or w in seen:
                continue
            seen.add(w)
            by_label[w][label + 1] += 1
    return by_label, titles, seen_total


def inflected(term, base, suffixes, prefixes):
    """The valence the analyzer finds for `term` through the language's
    inflection rules (a suffix replaced, a clitic prefix dropped), or None."""
    for frm, to in suffixes:
        stem = term[:len(term) - len(frm)]
        if term.endswith(frm) and len(stem) >= 3 and base.get(stem + to):
            return base[stem + to]
    for p in prefixes:
        if term.startswith(p) and len(term) - len(p) >= 3 and base.get(term[len(p):]):
            return base[term[len(p):]]
    return None


def learn(base, rows, handled, negators, core=(), fallback=None, suffixes=(), prefixes=()):
    """The lexicon `base` (term -> valence) adjusted by the labelled `rows`.
    A word `base` lacks is learned only when the analyzer would rate it
    anyway: through an inflection (`suffixes`, `prefixes`: (from, to) pairs
    and clitics, as the rules list them) or, for Latin script, in English
    (`fallback`). Other words are not added: in a few thousand tweets the
    words that lean one way without a rating of their own are their topics
    (a country, a team, a phone maker), not sentiment."""
    fallback = fallback or {}
    by_label, titles, seen_total = count(rows, negators)
    out = {}
    for term in set(base) | set(by_label):
        if term in core:
            continue
        old = base.get(term)
        neg, neu, pos = by_label.get(term, (0, 0, 0))
        n = neg + neu + pos
        if old is not None and n == 0:
            out[term] = old
            continue
        if term in handled or len(term) < 2 or titles[term] > NAME_SHARE * seen_total[term]:
            if old is not None:
                out[term] = old
            continue
        prior = old
        if prior is None:
            prior = inflected(term, base, suffixes, prefixes)
        if prior is None:
            prior = fallback.get(term) or None  # an English 0 rates nothing
        if prior is None or (old is None and n < MIN_TWEETS):
            continue
        v = (SCALE * (pos - neg) + PRIOR * prior) / (n + PRIOR)
        if (v > 0) != (prior > 0):
            out[term] = 0.0  # the tweets contradict the rating: a mistranslation or a collision
            continue
        if abs(v) < DROP:
            if old is None:
                out[term] = 0.0  # stops the inflection or English reading
            continue
        out[term] = max(-4.0, min(4.0, v))
    return out


def read_tsv(path):
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                out[key(parts[0])] = float(parts[1])
    return out


def rule_pairs(path, kind):
    """The (from, to) pairs of the rules of `kind` ("suffix"), '-' read as nothing."""
    return [(p[0], "" if p[1] == "-" else p[1]) for p in rule_pairs_raw(path, kind) if len(p) >= 2]


def rule_list(path, kind):
    """The terms of the rules of `kind` ("prefix"), in file order."""
    return [p[0] for p in rule_pairs_raw(path, kind)]


def rule_pairs_raw(path, kind):
    out = []
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[0] == kind and parts[1]:
                out.append([key(x) for x in parts[1:]])
    return out


def rule_terms(path, kinds):
    terms = set()
    if not os.path.exists(path):
        return terms
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[0] in kinds:
                terms.add(key(parts[1]))
    return terms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True, help="folder of <lang>.train.tsv")
    ap.add_argument("--lang", required=True)
    ap.add_argument("--data", required=True, help="data/sentiment")
    a = ap.parse_args()
    d = os.path.join(a.data, a.lang)
    rules = os.path.join(d, "rules.tsv")
    base = read_tsv(os.path.join(d, "lexicon.tsv"))
    learned = learn(base, read_split(os.path.join(a.train, a.lang + ".train.tsv")),
                    rule_terms(rules, ("negator", "booster", "contrast", "stopword")),
                    rule_terms(rules, ("negator",)), read_tsv(os.path.join(d, "core.tsv")),
                    suffixes=rule_pairs(rules, "suffix"), prefixes=rule_list(rules, "prefix"))
    for t in sorted(learned, key=lambda t: -abs(learned[t] - base.get(t, 0)))[:60]:
        print("%s\t%s -> %.2f" % (t, base.get(t), learned[t]))


if __name__ == "__main__":
    main()
