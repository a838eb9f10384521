"""Reading grade of page text (Flesch-Kincaid), for the editor's warning.

"Grade 8 or below" is the clinic's editorial policy for patient-facing text, not a clinical rule, so
the threshold lives here (override with ``settings.EDUCATION_MAX_READING_GRADE``).

Why not ``textstat.flesch_kincaid_grade`` directly: textstat 0.7.13 looks English syllables up in
NLTK's CMU dictionary, which it *downloads at first use* — that fails on an offline machine and is a
surprise network call on a server. We keep textstat's word and sentence counts and the standard
Flesch-Kincaid formula, and count syllables by vowel groups (with the usual silent-e, -le and -ed
adjustments). On plain English it agrees with dictionary counts to within a fraction of a grade; it
never needs the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import textstat
from django.conf import settings

from toxinclinic.education import markup

DEFAULT_MAX_READING_GRADE = 8.0
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_VOWELS = re.compile(r"[aeiouy]+")


def max_grade() -> float:
    return float(getattr(settings, "EDUCATION_MAX_READING_GRADE", DEFAULT_MAX_READING_GRADE))


def syllables(word: str) -> int:
    """Syllables in one English word, by vowel groups."""
    w = word.lower().strip("'")
    if len(w) <= 3:
        return 1
    w = re.sub(r"'s$", "", w)
    count = len(_VOWELS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1  # silent e: "made", "medicine"
    elif w.endswith("ed") and not w.endswith(("ted", "ded")) and count > 1:
        count -= 1  # "called", "tightened"
    elif (
        w.endswith("es") and not w.endswith(("ses", "zes", "ces", "ges", "xes", "shes", "ches")) and count > 1
    ):
        count -= 1  # "makes", "times"
    return max(1, count)


def flesch_kincaid_grade(text: str) -> float | None:
    """0.39 × words per sentence + 11.8 × syllables per word − 15.59; None when there is no text."""
    words = _WORD.findall(text or "")
    if not words:
        return None
    sentence_count = max(1, textstat.sentence_count(text))
    n_words = max(1, textstat.lexicon_count(text))
    n_syllables = sum(syllables(w) for w in words)
    grade = 0.39 * (n_words / sentence_count) + 11.8 * (n_syllables / len(words)) - 15.59
    return round(grade, 1)


@dataclass(frozen=True)
class Score:
    label: str
    grade: float | None
    words: int

    @property
    def too_hard(self) -> bool:
        return self.grade is not None and self.grade > max_grade()


def score(label: str, markdown_text: str) -> Score:
    text = markup.sentences(markdown_text)
    return Score(label=label, grade=flesch_kincaid_grade(text), words=len(_WORD.findall(text)))


def page_report(content: dict[str, Any]) -> dict[str, Any]:
    """Grades for the whole page, each section and the FAQ, from a page snapshot (see services.snapshot)."""
    parts = [score(s["heading"], s["body"]) for s in content.get("sections", [])]
    faq_text = "\n\n".join(f"{f['question']}\n\n{f['answer']}" for f in content.get("faqs", []))
    if faq_text:
        parts.append(score("Frequently asked questions", faq_text))
    whole = "\n\n".join(
        [content.get("title", "") + "."]
        + [f"{s['heading']}.\n\n{s['body']}" for s in content.get("sections", [])]
        + ([faq_text] if faq_text else [])
    )
    return {"page": score("Whole page", whole), "parts": parts, "max_grade": max_grade()}
