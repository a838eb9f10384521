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

from benchmarks.common import BenchResult, best_of
from benchmarks.django_env import ensure_django

HALVES = (
    ("tuning", "tuning half"),
    ("held_out", "first held-out half (looked at, now tuned on)"),
    ("held_out_2", "held-out batch 2 (never tuned on)"),
)

#: held_out_2 measured once with the ranker as it stood before the second round of tuning (commit af0fbf1):
#: (right, answerable, declined, unanswerable).
BEFORE_TUNING = {"held_out_2": (16, 50, 12, 16), "held_out": (23, 35, 8, 8), "tuning": (104, 113, 25, 25)}


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


def run(quick: bool) -> list[BenchResult]:
    ensure_django()
    from toxinclinic.education import quality, search

    rows = quality.load()
    index = quality.default_index()
    report = quality.evaluate(index, rows)
    baseline = PlainBM25(_plain_text(index))
    base = _baseline_report(baseline, rows)
    results = []
    for half, label in HALVES:
        b_right, b_n, b_dec, b_un = BEFORE_TUNING[half]
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
                f"{right} of {n}; plain BM25 {o_right} of {o_n}; before round 2 {b_right} of {b_n}",
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
                f"{declined} of {n_un}; plain BM25 {o_dec} of {o_un}; before round 2 {b_dec} of {b_un}",
            )
        )
    questions = [r["question"] for r in rows]
    number = 1 if quick else 3

    def new() -> None:
        for q in questions:
            search.answer(index, q)

    def before_fn() -> None:
        for q in questions:
            baseline.answer(q)

    t_new = best_of(new, repeat=3 if quick else 7, number=number) / len(questions)
    t_old = best_of(before_fn, repeat=3 if quick else 7, number=number) / len(questions)
    results.append(
        BenchResult(
            "answer one question (stem, spell, lay words, BM25 over parts and sentences)",
            t_new * 1000,
            "ms",
            "plain BM25 over whole parts",
            t_old * 1000,
            False,
            f"mean over {len(questions)} questions, in process",
        )
    )
    return results


NOTES = """The question set has {n} questions ({u} that the page cannot answer), each with the phrases of
the passage that answers it, in three halves. "tuning" and the first "held_out" half were both looked at
while tuning (the first held-out half scored 23 of 35 before the second round and was then used for
tuning, so it is no longer held out). "held_out_2" ({n2} questions, {u2} unanswerable) was written for the
second round before any change to the search and measured once then ("before round 2": the ranker as it
stood) and once at the end (the figure); nothing was tuned on it. It is not blind in every sense: the
same person wrote it and the lay-word table, its list of failures was printed once at the "before"
measurement, and its two shares were printed once more by mistake mid-way (28 of 50, 12 of 16, after the
first lay-word change); nothing was changed because of either. In round 2 the tuning half also grew by 20
questions (18 of them probes the page cannot answer), so its "before" is over 113 and 25. The plain
BM25 baseline is judged by the looser whole-part test and declines almost nothing, so its answered share
is not comparable to the search's one-or-two-sentence answers. Where the figure is under the aim (95%
answered, 100% declined), the gap is the honest measure of how far word tables generalise to phrasings
nobody tuned for; on held_out_2 the search is still well short of the aim."""


def _notes() -> str:
    from toxinclinic.education import quality

    rows = quality.load()
    two = [r for r in rows if r["half"] == "held_out_2"]
    return NOTES.format(
        n=len(rows),
        u=sum(1 for r in rows if not r["answer_contains"]),
        n2=len(two),
        u2=sum(1 for r in two if not r["answer_contains"]),
    )


NOTES = _notes()
