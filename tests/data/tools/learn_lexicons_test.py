#!/usr/bin/env python3
"""Tests of data/tools/learn_lexicons.py, the learner behind the ar, de, es, fr, it and pt lexicons."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "data", "tools"))
import learn_lexicons as L  # noqa: E402


def rows(*pairs):
    return [(t, {"neg": -1, "neu": 0, "pos": 1}[y]) for t, y in pairs]


class LearnTest(unittest.TestCase):
    def test_tweets_strengthen_confirmed_words_neutralize_contradicted_ones_and_drop_empty_ones(self):
        train = rows(*[("el servicio fue pésimo y horrible hoy", "neg")] * 6, *[("el paquete llegó hoy", "neu")] * 6,
                     *[("el envío llegó hoy", "pos")] * 6)
        out = L.learn({"pésimo": 1.0, "horrible": -0.8, "hoy": 1.6}, train, handled={"el", "y"}, negators=set())
        self.assertLess(out["horrible"], -1.2)  # the tweets confirm and strengthen it
        self.assertEqual(out["pésimo"], 0.0)  # the tweets contradict a wrong translation: neutralized
        self.assertNotIn("hoy", out)  # as common in every class: carries nothing
        self.assertNotIn("el", out)  # the rules' words are not learned

    def test_few_tweets_keep_the_prior_and_unseen_words_keep_theirs(self):
        out = L.learn({"bueno": 2.0, "malo": -2.0}, rows(("bueno", "neu")), handled=set(), negators=set())
        self.assertGreater(out["bueno"], 1.5)
        self.assertEqual(out["malo"], -2.0)

    def test_only_words_the_analyzer_rates_anyway_are_added(self):
        train = rows(*[("maravillosa la tienda de Acme, love it", "pos")] * 4,
                     *[("la tienda de samsung en irán", "neg")] * 6, ("preciosa", "pos"), ("preciosa", "pos"))
        out = L.learn({"maravilloso": 2.0, "precioso": 2.0}, train, handled={"la", "de", "en"}, negators=set(),
                      fallback={"love": 3.2, "it": 0.0}, suffixes=[("a", "o")])
        self.assertGreater(out["maravillosa"], 1.0)  # an inflection of a rated word
        self.assertGreater(out["love"], 1.0)  # rated in English
        for topic in ("samsung", "irán", "tienda", "it"):
            self.assertNotIn(topic, out)  # leans one way, but has no rating of its own
        self.assertNotIn("preciosa", out)  # two tweets are not enough

    def test_names_negated_words_and_core_words_are_not_learned(self):
        train = rows(*[("ayer Madrid ganó, no bueno, qué desastre", "neg")] * 6)
        out = L.learn({"bueno": 2.0}, train, handled=set(), negators={"no"}, core={"desastre": -3})
        self.assertNotIn("madrid", out)
        self.assertEqual(out["bueno"], 2.0)  # only seen after "no"
        self.assertNotIn("desastre", out)

    def test_a_neutral_word_english_would_rate_is_rated_zero(self):
        train = rows(*[("die Lieferung war da", y) for y in ("neg", "neu", "pos")] * 4)
        out = L.learn({}, train, handled={"die"}, negators=set(), fallback={"war": -2.9})
        self.assertEqual(out["war"], 0.0)

    def test_hashtags_split_and_handles_and_urls_are_left_out(self):
        words = [w for w, _ in L.words_of("@acme #WorstServiceEver http://x.example/a ok")]
        self.assertEqual(words, ["worst", "service", "ever", "ok"])

    def test_learning_is_deterministic(self):
        train = rows(*[("muy buen servicio", "pos"), ("mal servicio", "neg"), ("servicio", "neu")] * 5)
        self.assertEqual(L.learn({"buen": 1.0}, train, set(), set()), L.learn({"buen": 1.0}, train, set(), set()))


class HostileInputTest(unittest.TestCase):
    def test_malformed_lines_are_skipped(self):
        with tempfile.NamedTemporaryFile("wb", suffix=".tsv", delete=False) as f:
            f.write(b"good\tpos\nno tab here\n\tneg\ntext\tmaybe\nbad bytes \xff\xfe\tneg\n\n" + b"x" * 100000 +
                    b"\tneu\n")
        try:
            got = L.read_split(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual([y for _, y in got], [1, -1, -1, 0])
        out = L.learn({}, got * 5, set(), set())  # an empty text, replaced bytes, a huge word
        self.assertIsInstance(out, dict)

    def test_words_of_odd_text(self):
        for text in ["", "#", "@", "###", "’’’", "#_#", "\u200b\u200d", "🙂" * 50, "a" * 10000]:
            L.words_of(text)  # no exception


if __name__ == "__main__":
    unittest.main()
