"""“Ask a question” quality on the question set (toxinclinic/education/tests/questions.json): the share of
answerable questions answered with the right passage, and the share of questions the page cannot answer
that are declined, for the tuning half and the held-out half separately, beside the pre-issue-18 ranker
(benchmarks/_search_v1.py, frozen); and the time to answer one question, beside that ranker's.

The old ranker answered with a whole section or FAQ item, so for it "right passage" means the phrase is
anywhere in the part it returned, a looser test than the one the new search meets (the phrase must be in
the one or two sentences it answers with).
"""

from __future__ import annotations

from benchmarks.common import BenchResult, best_of
from benchmarks.django_env import ensure_django


def _old_report(rows: list[dict], content: dict) -> dict[tuple[bool, str], tuple[int, int]]:
    from benchmarks import _search_v1 as old

    index = old.Index.for_content(content)
    out: dict[tuple[bool, str], list[int]] = {}
    for row in rows:
        result = old.answer(index, row["question"])
        expected = [p.lower() for p in row["answer_contains"]]
        if expected:
            ok = (
                result.matched
                and result.best is not None
                and any(
                    p in (result.best.doc.title + " " + result.best.doc.body).lower().replace("**", "")
                    for p in expected
                )
            )
        else:
            ok = not result.matched
        cell = out.setdefault((bool(expected), row["half"]), [0, 0])
        cell[0] += ok
        cell[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def run(quick: bool) -> list[BenchResult]:
    ensure_django()
    from benchmarks import _search_v1 as old
    from toxinclinic.education import quality, search

    rows = quality.load()
    index = quality.default_index()
    report = quality.evaluate(index, rows)
    content = {"faqs": [], "sections": []}
    for d in index.docs:
        if d.kind == "faq":
            content["faqs"].append({"anchor": d.anchor, "question": d.title, "answer": d.body})
        else:
            content["sections"].append({"anchor": d.anchor, "heading": d.title, "body": d.body})
    before = _old_report(rows, content)
    results = []
    for half, label in (("tuning", "tuning half"), ("held_out", "held-out half")):
        right, n = report.share(answerable=True, half=half)
        o_right, o_n = before.get((True, half), (0, 0))
        results.append(
            BenchResult(
                f"answered with the right passage, {label}",
                100.0 * right / n,
                "%",
                "pre-issue-18 ranker (whole part)",
                100.0 * o_right / o_n if o_n else 0.0,
                True,
                f"{right} of {n}; before {o_right} of {o_n}",
            )
        )
        declined, n_un = report.share(answerable=False, half=half)
        o_dec, o_un = before.get((False, half), (0, 0))
        results.append(
            BenchResult(
                f"unanswerable questions declined, {label}",
                100.0 * declined / n_un,
                "%",
                "pre-issue-18 ranker",
                100.0 * o_dec / o_un if o_un else 0.0,
                True,
                f"{declined} of {n_un}; before {o_dec} of {o_un}",
            )
        )
    questions = [r["question"] for r in rows]
    number = 1 if quick else 3

    def new() -> None:
        for q in questions:
            search.answer(index, q)

    old_index = old.Index.for_content(content)

    def before_fn() -> None:
        for q in questions:
            old.answer(old_index, q)

    t_new = best_of(new, repeat=3 if quick else 7, number=number) / len(questions)
    t_old = best_of(before_fn, repeat=3 if quick else 7, number=number) / len(questions)
    results.append(
        BenchResult(
            "answer one question (stem, spell, BM25 over parts and sentences)",
            t_new * 1000,
            "ms",
            "pre-issue-18 ranker",
            t_old * 1000,
            False,
            f"mean over {len(questions)} questions, in process",
        )
    )
    return results


NOTES = """The question set has {n} questions ({u} that the page cannot answer), each with the phrases of
the passage that answers it. The search was tuned while looking at the tuning half only; the held-out half
was measured, and its failures were looked at once (one wrong label was corrected: an answer listing the
head and neck muscles was right but did not contain the expected word). After that look, one general
change was made (misspellings are also matched to the lay-word table, e.g. "painfull" → "painful" → pain),
so the held-out figure is not fully blind. A third batch of 25 questions, written later, was measured
once before any tuning on it: 10 of 20 answerable ones answered with the right passage, 5 of 5
unanswerable ones declined; it was then added to the tuning half. The held-out gap is the honest
measure of how well the word tables generalise to phrasings nobody tuned for; closing it needs wider lay
vocabulary, not more tuning."""


def _notes() -> str:
    from toxinclinic.education import quality

    rows = quality.load()
    return NOTES.format(n=len(rows), u=sum(1 for r in rows if not r["answer_contains"]))


NOTES = _notes()
