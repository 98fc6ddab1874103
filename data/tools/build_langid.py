#!/usr/bin/env python3
"""Builds brandmon's language model for Latin-script text, data/langid/model.bin.

Usage:
  python3 data/tools/build_langid.py [--multi DIR] [--out data/langid/model.bin]
  python3 data/tools/build_langid.py --eval POSTS.tsv ...   (accuracy per language)

A naive Bayes model over hashed byte n-grams (1 to 4 bytes) and whole words of
a text normalized as daemon/text/lang_model.cc normalizes it: handles,
hashtags, URLs, digits, punctuation and emoji removed, letters lower-cased,
words separated by one space. The hashing and normalization here must match
that file byte for byte; tests/daemon/text/lang_model_test.cc checks answers.

Training text: data/langid/train/<lang>.txt (data/LICENSES.md) and, with
--multi, the `train` splits of the multilingual tweet sets (<lang>.train.tsv,
never the `val` ones), which bring tweets' spelling and Hinglish (hi-latn).

Model file: "BMLANGID" magic, u8 version, u8 bucket bits, u8 language count,
u8 reserved, then per language a 8-byte NUL-padded code, zeros up to byte
HEADER - 16, 16 int8 priors (added once to each language's sum, same units as
the rows), then (1 << bits) rows of 16 int8 scores: per language, log P(feature | language)
minus the row's best, in units of 1/SCALE nats, clamped to -127.
"""
import argparse
import math
import os
import re
import struct
import sys

LANGS = ["en", "es", "pt", "fr", "de", "it", "ca", "nl", "pl", "tr", "id", "hi-latn"]
ROW = 16
HEADER = 128
BITS = 16
SCALE = 16.0
ALPHA = 0.05
MAX_BYTES = 320
MUL = 0x9E3779B97F4A7C15
ADD = 0x632BE59BD9B4E019
MASK64 = (1 << 64) - 1
WORD_TAG = 5
# Most posts a brand gets are English: a text that reads about as well as
# English and as another language is English (in nats).
PRIORS = {"en": 3.0}


def lower(cp):
    if 0x41 <= cp <= 0x5A or 0xC0 <= cp <= 0xDE and cp != 0xD7:
        return cp + 0x20
    if 0x100 <= cp <= 0x137 or 0x14A <= cp <= 0x177:
        return cp | 1
    if 0x139 <= cp <= 0x148 or 0x179 <= cp <= 0x17E:
        return cp + 1 if cp % 2 == 1 else cp
    if cp == 0x130:
        return 0x69
    if 0x410 <= cp <= 0x42F:
        return cp + 0x20
    if 0x400 <= cp <= 0x40F:
        return cp + 0x50
    return cp


def is_letter(cp):
    if cp < 0x80:
        return 0x61 <= (cp | 0x20) <= 0x7A
    if cp < 0xC0 or cp in (0xD7, 0xF7):
        return False
    if 0x2000 <= cp <= 0x2BFF or 0x3000 <= cp <= 0x303F or 0xFE00 <= cp <= 0xFE0F or 0xFF00 <= cp <= 0xFF20:
        return False
    if 0xE000 <= cp <= 0xF8FF or 0xFFF0 <= cp <= 0xFFFF or cp >= 0x1F000:
        return False
    return True


def normalize(text):
    """The bytes the model reads: " word word ... " (UTF-8), at most MAX_BYTES."""
    out = []
    for token in re.split(r"[ \t\n\r\f\v]+", text):
        if not token:
            continue
        t = token.lower()
        if token[0] in "@#" or t.startswith(("http://", "https://", "www.")):
            out.append(" ")
            continue
        for ch in token:
            cp = ord(ch)
            out.append(chr(lower(cp)) if is_letter(cp) else " ")
        out.append(" ")
    s = " " + " ".join("".join(out).split()) + " "
    b = s.encode("utf-8")
    return b[:MAX_BYTES] if len(b) > MAX_BYTES else b


def bucket(gram, n, bits):
    return (((gram * MUL) + n * ADD) & MASK64) >> (64 - bits)


def word_hash(word):
    h = 0x811C9DC5
    for c in word:
        h = ((h ^ c) * 0x01000193) & 0xFFFFFFFF
    return h


def features(b, bits):
    """The buckets of the text's n-grams (n = 1..4, ending at each byte) and words."""
    out = []
    w = 0
    for i, c in enumerate(b):
        w = ((w << 8) | c) & 0xFFFFFFFF
        for n in range(1, 5):
            if i + 1 >= n:
                out.append(bucket(w & ((1 << (8 * n)) - 1), n, bits))
    for word in b.split(b" "):
        if word:
            out.append(bucket(word_hash(word), WORD_TAG, bits))
    return out


def read_training(multi):
    texts = {lang: [] for lang in LANGS}
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "langid", "train")
    for lang in LANGS:
        path = os.path.join(here, lang + ".txt")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                texts[lang] += [l.rstrip("\n") for l in f if l.strip()]
        if multi:
            path = os.path.join(multi, lang + ".train.tsv")
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    texts[lang] += [l.rsplit("\t", 1)[0] for l in f if "\t" in l]
    for lang, t in texts.items():
        if not t:
            sys.exit(f"no training text for {lang}")
    return texts


def english_lines_of_hinglish(texts, bits):
    """The Hinglish training lines a model without them reads as English."""
    table = train({**texts, "hi-latn": []}, bits)
    en, hi = LANGS.index("en"), LANGS.index("hi-latn")
    out = []
    for t in texts["hi-latn"]:
        sums = scores(table, bits, t)
        best = max(range(len(LANGS)), key=lambda j: sums[j])
        if best == en:
            out.append(t)
    return set(out)


def train(texts, bits):
    size = 1 << bits
    counts = {lang: [0] * size for lang in LANGS}
    for lang in LANGS:
        c = counts[lang]
        for t in texts[lang]:
            for f in features(normalize(t), bits):
                c[f] += 1
    table = bytearray(size * ROW)
    logp = {}
    for lang in LANGS:
        c = counts[lang]
        total = sum(c) + ALPHA * size
        logp[lang] = [math.log((x + ALPHA) / total) for x in c]
    for r in range(size):
        best = max(logp[lang][r] for lang in LANGS)
        for j, lang in enumerate(LANGS):
            q = max(-127, round((logp[lang][r] - best) * SCALE))
            table[r * ROW + j] = q & 0xFF
    return table


def write_model(path, table, bits):
    with open(path, "wb") as f:
        f.write(b"BMLANGID" + struct.pack("BBBB", 1, bits, len(LANGS), 0))
        for lang in LANGS:
            f.write(lang.encode().ljust(8, b"\0"))
        f.write(b"\0" * (HEADER - 16 - 12 - 8 * len(LANGS)))
        priors = [round(PRIORS.get(lang, 0.0) * SCALE) for lang in LANGS] + [0] * (ROW - len(LANGS))
        f.write(struct.pack("16b", *priors))
        f.write(table)


def scores(table, bits, text):
    sums = [round(PRIORS.get(lang, 0.0) * SCALE) for lang in LANGS]
    for r in features(normalize(text), bits):
        row = table[r * ROW:r * ROW + len(LANGS)]
        for j in range(len(LANGS)):
            v = row[j]
            sums[j] += v - 256 if v > 127 else v
    return sums


def classify(table, bits, text):
    sums = scores(table, bits, text)
    return LANGS[max(range(len(LANGS)), key=lambda j: sums[j])]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--multi", help="folder of <lang>.train.tsv tweet sets")
    ap.add_argument("--bits", type=int, default=BITS)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "langid",
                                                  "model.bin"))
    ap.add_argument("--eval", nargs="*", help="text<TAB>lang files: accuracy of the new model per language")
    args = ap.parse_args()
    texts = read_training(args.multi)
    # Hinglish tweets that are plain English move to English.
    english = english_lines_of_hinglish(texts, args.bits)
    texts["hi-latn"] = [t for t in texts["hi-latn"] if t not in english]
    texts["en"] = texts["en"] + sorted(english)
    table = train(texts, args.bits)
    if args.eval:
        stats = {}
        for path in args.eval:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    if "\t" not in line:
                        continue
                    text, lang = line.rstrip("\n").rsplit("\t", 1)
                    if lang not in LANGS:
                        continue
                    ok, n = stats.get((path, lang), (0, 0))
                    stats[(path, lang)] = (ok + (classify(table, args.bits, text) == lang), n + 1)
        for (path, lang), (ok, n) in sorted(stats.items()):
            print(f"{os.path.basename(path):20} {lang:8} {ok / n:.3f} ({n})")
        return
    write_model(args.out, table, args.bits)


if __name__ == "__main__":
    main()
