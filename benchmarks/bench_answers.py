"""“Ask a question” quality on the question set (toxinclinic/education/tests/questions.json): the share of
answerable questions answered with the right passage, and the share of questions the page cannot answer
that are declined, per half, beside a plain baseline measured in the same run; and the time to answer one
question, beside the baseline's.

The baseline is plain BM25 (bm25s) over the page's whole parts (title and body), Snowball-stemmed, with
bm25s's English stop words and nothing else: no lay words, no misspellings, no intents, no sentences. It
answers with the best part and declines only when no word of the question is on the page. Because it
answers with a whole part, "right passage" for it means the phrase is anywhere in that part, a looser test
than the one the search meets (the phrase must be in the one or two sentences it answers with).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks.common import BenchResult, best_of
from benchmarks.django_env import ensure_django

HALVES = (
    ("tuning", "tuning half"),
    ("held_out", "first held-out half (looked at, now tuned on)"),
    ("held_out_2", "held-out batch 2 (looked at in round 3, now tuned on)"),
    ("round_3", "round-3 fresh batches (each measured once when written, then tuned on)"),
    ("held_out_3", "held-out batch 3 (measured blind in round 3, tuned on in round 4)"),
    ("round_4", "round-4 batch by a third writer (measured once when written, then tuned on)"),
    ("held_out_4", "held-out batch 4 (measured blind in round 4, tuned on in round 5)"),
    ("held_out_5", "held-out batch 5, two more writers who saw only the page (never tuned on)"),
    ("held_out_5_fresh", "held-out batch 5 without near-repeats of other batches (never tuned on)"),
)


@dataclass
class PlainBM25:
    """The same-run baseline: BM25 over whole parts, stemmed, nothing else."""

    docs: list[tuple[str, str]]  # (anchor, title + body)

    def __post_init__(self) -> None:
        import bm25s
        import snowballstemmer

        self._stemmer = snowballstemmer.stemmer("english")
        self._bm25s = bm25s
        self.index = bm25s.BM25()
        self.index.index(self._tokens([text for _, text in self.docs]), show_progress=False)

    def _tokens(self, texts: list[str]) -> list[list[str]]:
        """Lower-cased words, bm25s's English stop words dropped, Snowball-stemmed."""
        return self._bm25s.tokenize(
            texts, stopwords="en", stemmer=self._stemmer.stemWords, return_ids=False, show_progress=False
        )

    def answer(self, question: str) -> str | None:
        """The text of the best part, or None (declined) when no word of the question is on the page."""
        words = self._tokens([question])[0]
        known = [w for w in words if w in self.index.vocab_dict]
        if not known:
            return None
        scores = self.index.get_scores(known)
        best = int(scores.argmax())
        return self.docs[best][1] if scores[best] > 0 else None


def _plain_text(index: Any) -> list[tuple[str, str]]:
    return [(d.anchor, re.sub(r"\*\*|__|`", "", d.title + " " + d.body)) for d in index.docs]


def _baseline_report(baseline: PlainBM25, rows: list[dict]) -> dict[tuple[bool, str], tuple[int, int]]:
    out: dict[tuple[bool, str], list[int]] = {}
    for row in rows:
        got = baseline.answer(row["question"])
        expected = [p.lower() for p in row["answer_contains"]]
        ok = (got is not None and any(p in got.lower() for p in expected)) if expected else got is None
        cell = out.setdefault((bool(expected), row["half"]), [0, 0])
        cell[0] += ok
        cell[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def _words_only(rows: list[dict]) -> tuple[Any, Any]:
    """The search without the sentence model (the round-3 search exactly: no meaning, the same gates),
    measured in the same run, and its index."""
    from unittest import mock

    from toxinclinic.education import quality, semantic

    with (
        mock.patch.object(semantic, "encoder", lambda: None),
        mock.patch.object(semantic, "encode_page", lambda texts: None),
    ):
        index = quality.default_index()
        return quality.evaluate(index, rows), index


def run(quick: bool) -> list[BenchResult]:
    ensure_django()
    from unittest import mock

    from toxinclinic.education import quality, search, semantic

    if not semantic.available():
        raise RuntimeError(
            "the sentence model is not installed (make install); the figures would be words only"
        )
    rows = quality.load()
    measured = rows + quality.fresh(rows, "held_out_5")
    index = quality.default_index()
    report = quality.evaluate(index, measured)
    words, words_index = _words_only(measured)
    baseline = PlainBM25(_plain_text(index))
    base = _baseline_report(baseline, measured)
    results = []
    for half, label in HALVES:
        w_right, w_n = words.share(answerable=True, half=half)
        w_dec, w_un = words.share(answerable=False, half=half)
        right, n = report.share(answerable=True, half=half)
        o_right, o_n = base.get((True, half), (0, 0))
        results.append(
            BenchResult(
                f"answered with the right passage, {label}",
                100.0 * right / n,
                "%",
                "plain BM25 over whole parts",
                100.0 * o_right / o_n if o_n else 0.0,
                True,
                f"{right} of {n}; words only {w_right} of {w_n}; plain BM25 {o_right} of {o_n}",
            )
        )
        declined, n_un = report.share(answerable=False, half=half)
        o_dec, o_un = base.get((False, half), (0, 0))
        results.append(
            BenchResult(
                f"unanswerable questions declined, {label}",
                100.0 * declined / n_un,
                "%",
                "plain BM25 over whole parts",
                100.0 * o_dec / o_un if o_un else 0.0,
                True,
                f"{declined} of {n_un}; words only {w_dec} of {w_un}; plain BM25 {o_dec} of {o_un}",
            )
        )
    questions = [r["question"] for r in rows]
    number = 1 if quick else 3

    def new() -> None:
        for q in questions:
            search.answer(index, q)

    def words_fn() -> None:
        with mock.patch.object(semantic, "encoder", lambda: None):
            for q in questions:
                search.answer(words_index, q)

    def before_fn() -> None:
        for q in questions:
            baseline.answer(q)

    t_new = best_of(new, repeat=3 if quick else 5, number=number) / len(questions)
    t_words = best_of(words_fn, repeat=3 if quick else 5, number=number) / len(questions)
    t_old = best_of(before_fn, repeat=3 if quick else 5, number=number) / len(questions)
    results.append(
        BenchResult(
            "answer one question (words and sentence meaning, BM25 over parts and sentences)",
            t_new * 1000,
            "ms",
            "plain BM25 over whole parts",
            t_old * 1000,
            False,
            f"mean over {len(questions)} questions, in process; words only {t_words * 1000:.2f} ms",
        )
    )
    # What a web process pays once per page version when the worker has not prepared it yet.
    texts = [u.text for u in index.units]
    enc = semantic.encoder()
    assert enc is not None
    t_page = best_of(lambda: enc.encode(texts), repeat=1 if quick else 3, number=1)
    t_load = best_of(lambda: np.load(semantic.cache_path(texts)), repeat=3, number=1)
    results.append(
        BenchResult(
            f"encode the default page's {len(texts)} sentences (once per version and machine)",
            t_page * 1000,
            "ms",
            "reading the kept vectors from disk",
            t_load * 1000,
            False,
            "the worker does this when a version is published; web processes read the file",
        )
    )
    return results


NOTES = """The question set has {n} questions ({u} that the page cannot answer), each with the phrases of
the passage that answers it, in batches ("halves") written at different times. The figure is the search as
it stands (words and sentence meaning); "words only" is the same search without the sentence model,
measured in the same run (it is exactly the round-3 search); plain BM25 is the baseline column.

What was looked at, and when. Rounds 1-3 tuned word tables and rules (stemming, misspellings, lay words,
intents, answer types, scopes) on "tuning", the first "held_out" half, "held_out_2" and the three
"round_3" batches. "held_out_3" ({n3} questions) was written before round 3 and measured blind at its
end: 38 of 54 right, 15 of 15 declined, and 22 of 36 without near-repeats. The lesson of round 3 was that
word tables do not carry over to new wording: each fresh round-3 batch scored 50-65% when written.

Round 4 began by having two writers who saw only the rendered page (not the
search, its tables or any earlier question) write "held_out_4" ({n4} questions, {u4} unanswerable),
committed alone (9787a27) before any change and measured once with the round-3 search: 29 of 60 right,
19 of 20 declined. While tuning only its shares were ever printed; it was measured once more at the end
of round 4 (95f445c): 31 of 60 right, 19 of 20 declined. A third writer wrote "round_4" ({nr4}
questions), measured once when written (words only: 23 of 38 right, 12 of 12 declined) and then used to
set the sentence model's weights; "held_out_3" was read and tuned on too.

Round 5 read held_out_4's failures after that measurement: of its 29 misses, 14 were declines of a
question whose right sentence was the best found, with about half the question's words on the page and a
cosine of 0.4-0.7 (the unanswerable ones had less of both), and about five were answers a reader would
accept that the writers' phrases do not name ("Afterwards, do not rub the places where the shots went
in" for a massage question). Two more writers who saw only the page then wrote "held_out_5" ({n5}
questions, {u5} unanswerable, asked to name every sentence that fairly answers), committed (before the
change) and measured with the round-4 search: 32 of 60 right, 20 of 20 declined (without near-repeats
23 of 45, 9 of 9). The change: a hit whose coverage and cosine add up to 1.0 or more answers too
(on the tuned halves +10 answered, -1 declined). Measured once after it: the figure.
"held_out_5_fresh" ({nf} questions, {uf} unanswerable) leaves out its near-repeats of other batches
(rapidfuzz token-set ratio of {cut} or more).

The round-4 method: all-MiniLM-L6-v2 sentence vectors (education/semantic.py, computed with numpy and
checked against sentence-transformers to 1e-6; the model's files are pinned by SHA-256) for every
sentence window of the page, kept on disk per version. A sentence's cosine with the question adds
3 x (cos - 0.2) to the score of sentences the question's words already found, so meaning re-ranks within
what words find; a sentence whose cosine is 0.75 or more (from round 5 also one whose cosine and
coverage add to 1.0) may answer even when too few of the question's words are on the page (the coverage
test); meaning brings in no sentence that neither the words nor its part's words found.
A sentence that continues the one before it ("They will tell you what to do.") gets no meaning of its own.
Tried and dropped, each measured on the tuned halves and round_4: WordNet (Debian's
wordnet-base) synonyms for words the page does not print (+1 right, -5 declined: a word's commonest
senses still match the page by accident: "park" to "common", "price" to "term"); a fall-back to the
closest sentence when nothing passes (+4 right, -19 declined); rejecting answers of low cosine (lost
more answers than it declined); a question's last sentence as its focus (patients put the topic in
the sentence before). Pure sentence similarity alone finds the right sentence first for 20 of 38 round_4
questions and 34 of 54 held_out_3 questions, worse than words; the two together are better than either.

Why the aim (95% answered, 100% declined) is not reached: on wording nobody tuned for, a word search
with a small sentence model reaches about the held_out_5 figure. Many misses are a neighbouring
sentence of the right part (the timeline's other half, the other condition); a few are answers a reader
would accept that the writers' phrases do not name. A larger model or a cross-encoder re-ranker would
need a model that is not packaged on PyPI by a trusted publisher (this one is checked by digest
against the published files). The plain BM25 baseline is judged by the looser whole-part test and
declines almost nothing, so its answered share is not comparable to the search's one-or-two-sentence
answers."""


def _notes() -> str:
    from toxinclinic.education import quality

    rows = quality.load()
    three = [r for r in rows if r["half"] == "held_out_3"]
    four = [r for r in rows if r["half"] == "held_out_4"]
    five = [r for r in rows if r["half"] == "held_out_5"]
    fresh = quality.fresh(rows, "held_out_5")
    return NOTES.format(
        n=len(rows),
        u=sum(1 for r in rows if not r["answer_contains"]),
        n3=len(three),
        n4=len(four),
        u4=sum(1 for r in four if not r["answer_contains"]),
        n5=len(five),
        u5=sum(1 for r in five if not r["answer_contains"]),
        nr4=sum(1 for r in rows if r["half"] == "round_4"),
        cut=quality.NEAR_REPEAT,
        nf=len(fresh),
        uf=sum(1 for r in fresh if not r["answer_contains"]),
    )


NOTES = _notes()
