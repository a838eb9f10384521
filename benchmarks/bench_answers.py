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
    ("held_out_2", "held-out batch 2 (looked at in round 3, now tuned on)"),
    ("round_3", "round-3 fresh batches (each measured once when written, then tuned on)"),
    ("held_out_3", "held-out batch 3 (never tuned on)"),
    ("held_out_3_fresh", "held-out batch 3 without near-repeats of earlier questions (never tuned on)"),
)

#: Every half measured with the search as it stood before the third round of tuning (commit 290f054):
#: (right, answerable, declined, unanswerable). held_out_3 was written and committed alone (bacc703) and
#: measured then, its shares only; the round_3 batches were run through the old search at the end.
BEFORE_TUNING = {
    "tuning": (109, 115, 41, 43),
    "held_out": (29, 35, 8, 8),
    "held_out_2": (28, 50, 14, 16),
    "round_3": (55, 109, 23, 32),
    "held_out_3": (33, 54, 15, 15),
    "held_out_3_fresh": (21, 36, 8, 8),
}


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
    measured = rows + quality.fresh(rows, "held_out_3")
    index = quality.default_index()
    report = quality.evaluate(index, measured)
    baseline = PlainBM25(_plain_text(index))
    base = _baseline_report(baseline, measured)
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
                f"{right} of {n}; plain BM25 {o_right} of {o_n}; before round 3 {b_right} of {b_n}",
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
                f"{declined} of {n_un}; plain BM25 {o_dec} of {o_un}; before round 3 {b_dec} of {b_un}",
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
the passage that answers it, in five halves. What was looked at, and when: "tuning" and the first
"held_out" half were looked at while tuning in rounds 1 and 2. "held_out_2" ({n2} questions, {u2}
unanswerable) was written for round 2, measured before it (16 of 50, 12 of 16) and after it (28 of 50, 14
of 16), and in round 3 its failures were read and tuned on, so it is no longer held out. Round 3 (issue 18
item 3) began by writing "held_out_3" ({n3} questions, {u3} unanswerable: cost, parking, insurance, a
named other drug, alcohol, flying ...), committed alone before any change to the search and measured once
("before round 3"); while tuning only its two shares were ever printed, never a question or an answer, and
it was measured once more at the end (the figure). It is not blind in every sense: the same person wrote
it and the word tables, and knew its wording; words known to be in it were not added to the tables on
purpose. Worse, checked mechanically near the end of the tuning and before the final measurement (question
texts only, no answers), {rep3} of its questions turned out to be near-repeats of questions in the halves
tuned on (rapidfuzz token-set ratio of {cut} or more: the same writer's habits), so "held_out_3_fresh"
({nf} questions, {uf} unanswerable) reports it without them; its "before" is the old search over that
subset, shares only. That subset is the fairest figure here. During round 3 three fresh batches
("round_3", {nr} questions) were written one after another, each measured once when written and then tuned
on: 24 of 39 right and 10 of 13 declined, 21 of 37 and 6 of 11, 18 of 36 and 9 of 10 (the later ones
measured after the tuning on the earlier ones), which is the honest measure of how well each step
generalised; their "before round 3" is the old search run over them at the end. The round-3 method:
everyday words that only shade a question (degree, time, light verbs, relatives; numbers the page does not
print) weigh a quarter in ranking and in the coverage test, and spelled-right everyday words (textstat's
Dale-Chall list, shipped in the installed package) are never "corrected"; an answer must say what kind of
thing is asked (a time for "how long", digits for "how many", a person for "who"), else the next sentence
is tried; a list item whose lead-in alone matches answers with the whole list; a sentence scoped "For
cervical dystonia, ..." does not answer a question naming the part's other scope; of "A or B" the unsaid
alternative is no gap; intent cue words rank like intents; a general consumer-health vocabulary (clinical
terms, brand names to the generic names a page prints, never a drug onto a class, so "can I take Tylenol
after" is declined) plus more intents. WordNet was not used: no WordNet data is installed (nltk is,
without its corpora) and nothing may download at run time. The plain BM25 baseline is judged by the looser
whole-part test and declines almost nothing, so its answered share is not comparable to the search's
one-or-two-sentence answers. The gap to the aim (95% answered, 100% declined) on held_out_3 is the honest
measure of how far word tables and rules generalise to phrasings nobody tuned for."""


def _notes() -> str:
    from toxinclinic.education import quality

    rows = quality.load()
    two = [r for r in rows if r["half"] == "held_out_2"]
    three = [r for r in rows if r["half"] == "held_out_3"]
    fresh = quality.fresh(rows, "held_out_3")
    return NOTES.format(
        n=len(rows),
        u=sum(1 for r in rows if not r["answer_contains"]),
        n2=len(two),
        u2=sum(1 for r in two if not r["answer_contains"]),
        n3=len(three),
        u3=sum(1 for r in three if not r["answer_contains"]),
        nr=sum(1 for r in rows if r["half"] == "round_3"),
        rep3=len(three) - len(fresh),
        cut=quality.NEAR_REPEAT,
        nf=len(fresh),
        uf=sum(1 for r in fresh if not r["answer_contains"]),
    )


NOTES = _notes()
