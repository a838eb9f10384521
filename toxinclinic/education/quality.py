"""How well “Ask a question” answers a question set: the share answered with the right passage, and the
share of questions the page cannot answer that it declines (tests/questions.json; `make bench`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toxinclinic.education import search

QUESTIONS = Path(__file__).parent / "tests" / "questions.json"


@dataclass
class Outcome:
    question: str
    half: str
    answerable: bool
    ok: bool
    got: str  # the answer's anchor and snippet, or "declined"


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def share(self, *, answerable: bool, half: str | None = None) -> tuple[int, int]:
        rows = [o for o in self.outcomes if o.answerable == answerable and (half is None or o.half == half)]
        return sum(o.ok for o in rows), len(rows)

    def failures(self, half: str | None = None) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok and (half is None or o.half == half)]


def load(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["questions"]


def default_index() -> search.Index:
    """The index of the default page as a clinic publishes it (FAQ anchors as the snapshot makes them)."""
    from toxinclinic.education import content
    from toxinclinic.education.services import faq_anchor

    page = content.default_page(clinic_phone="(555) 010-0000", emergency_number="911")
    taken = {s["anchor"] for s in page["sections"]}
    for f in page["faqs"]:
        f["anchor"] = faq_anchor(f["question"], taken)
    return search.Index.for_content(page)


def evaluate(index: search.Index, rows: list[dict[str, Any]]) -> Report:
    report = Report()
    for row in rows:
        result = search.answer(index, row["question"])
        expected = [p.lower() for p in row["answer_contains"]]
        if not expected:
            ok = not result.matched
        else:
            ok = result.matched and any(p in result.snippet.lower() for p in expected)
        got = f"#{result.best.doc.anchor}: {result.snippet}" if result.best else "declined"
        report.outcomes.append(Outcome(row["question"], row["half"], bool(expected), ok, got))
    return report


#: A question this close to one of another half (rapidfuzz token-set ratio) is a near-repeat of it.
NEAR_REPEAT = 85


def fresh(rows: list[dict[str, Any]], half: str) -> list[dict[str, Any]]:
    """The questions of ``half`` that are not near-repeats of a question in another half, as half
    ``<half>_fresh``: the same writer wrote every batch, and a batch that repeats earlier wording measures
    memory, not generalisation. The cut-off was fixed before the final measurement."""
    from rapidfuzz import fuzz, process

    others = [r["question"] for r in rows if r["half"] != half]
    out = []
    for r in rows:
        if r["half"] != half:
            continue
        best = process.extractOne(r["question"], others, scorer=fuzz.token_set_ratio)
        if best is None or best[1] < NEAR_REPEAT:
            out.append({**r, "half": f"{half}_fresh"})
    return out
