"""FROZEN COPY of toxinclinic/education/search.py before issue 18 (whole-part answers, hand-written BM25),
kept only as the baseline of bench_answers.py. Do not use it elsewhere.

“Ask a question”: find the FAQ answer or section of a page that best answers free text.

An in-Python BM25 ranker (identical on SQLite and PostgreSQL, no external service) over the page's FAQ
items and sections, with light stemming and a small synonym table so that “does it hurt” finds the
answer about pain and “how long does it last” the one about duration. A FAQ question counts three
times and a section heading twice, because they say what their text answers.

The honest part: a match must cover at least half of the question's meaningful words (weighted by how
rare each word is on the page) and score above a floor; otherwise the answer says nothing matched well.
Semantic embeddings were not added: the small models on PyPI need torch (+1.3 GB), and on this page's
question set BM25 with synonyms already finds every expected answer (see tests/test_question_search.py).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from toxinclinic.education import markup

K1 = 1.2
B = 0.75
MIN_COVERAGE = 0.5
MIN_SCORE = 1.0
QUESTION_WEIGHT = 3
HEADING_WEIGHT = 2
MAX_QUERY_CHARS = 300

STOPWORDS = frozenset(
    """a about all also am an and any are as at be been being but by can could did do does
    doing done for from get gets getting had has have having he her here hers him his how i if in into is
    it its it's just me might more most much my no of on once only or other our out own please she should
    so some such than that the their them then there these they this those to too us very was we were
    what when where which while who whom why will with would you your yours i'm i've i'll id ive im dont
    don't during need needs know want tell problem problems issue issues really okay ok thing
    things""".split()
)

# Words patients use → the stem the page uses. Applied after stemming, to the page and the question.
SYNONYMS: dict[str, str] = {
    "hurt": "pain",
    "painful": "pain",
    "sore": "pain",
    "sorenes": "pain",
    "ache": "pain",
    "sting": "pain",
    "pinch": "pain",
    "last": "last",
    "duration": "last",
    "durat": "last",
    "long": "last",
    "wear": "last",
    "effect": "effect",
    "shot": "inject",
    "jab": "inject",
    "inject": "inject",
    "needl": "inject",
    "needle": "inject",
    "thinner": "thinner",
    "anticoagul": "thinner",
    "anticoagulant": "thinner",
    "warfarin": "thinner",
    "apixaban": "thinner",
    "clopidogrel": "thinner",
    "aspirin": "thinner",
    "risk": "side",
    "danger": "side",
    "dangerou": "side",
    "safe": "side",
    "complic": "side",
    "complication": "side",
    "pregnanc": "pregnant",
    "pregnancy": "pregnant",
    "breastfeed": "pregnant",
    "nurs": "pregnant",
    "start": "start",
    "begin": "start",
    "kick": "start",
    "onset": "start",
    "notic": "start",
    "notice": "start",
    "soon": "start",
    "cost": "insur",
    "pay": "insur",
    "price": "insur",
    "insur": "insur",
    "insurance": "insur",
    "cover": "insur",
    "cosmet": "cosmetic",
    "wrinkl": "cosmetic",
    "fail": "work",
    "help": "work",
    "effective": "work",
    "prepar": "before",
    "prepare": "before",
    "bring": "before",
    "rub": "rub",
    "massag": "rub",
    "massage": "rub",
    "procedur": "procedure",
    "appoint": "visit",
    "appointment": "visit",
    "altern": "choic",
    "alternative": "choic",
    "option": "choic",
    "instead": "choic",
    "medic": "medicin",
    "medicat": "medicin",
    "medication": "medicin",
    "pill": "medicin",
    "tablet": "medicin",
    "drug": "medicin",
    "headach": "headach",
    "migrain": "migrain",
    "dystonia": "dystonia",
    "torticolli": "dystonia",
    "neck": "neck",
    "afterward": "after",
    "afterwards": "after",
    "aftercare": "after",
    "again": "repeat",
    "often": "repeat",
    "frozen": "frown",
    "expression": "frown",
}

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def stem(word: str) -> str:
    """A light suffix stripper: enough to meet “injections”/“injection”/“injected” at one stem."""
    w = word.lower()
    if w.endswith("'s"):
        w = w[:-2]
    for suffix, keep in (
        ("ational", 5),
        ("ations", 5),
        ("ation", 5),
        ("ions", 4),
        ("ion", 4),
        ("ities", 4),
        ("ness", 4),
        ("ments", 4),
        ("ment", 4),
        ("ings", 4),
        ("ing", 4),
        ("ies", 3),
        ("ied", 3),
        ("ed", 4),
        ("es", 4),
        ("ly", 4),
        ("s", 3),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= keep and not w.endswith("ss"):
            w = w[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    return w


def terms(text: str) -> list[str]:
    out = []
    for tok in _TOKEN.findall(text.lower()):
        if tok in STOPWORDS:
            continue
        s = stem(tok)
        out.append(SYNONYMS.get(tok) or SYNONYMS.get(s) or s)
    return out


@dataclass(frozen=True)
class Doc:
    kind: str  # "faq" or "section"
    anchor: str
    title: str
    body: str  # Markdown
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    doc: Doc
    score: float
    coverage: float


class Index:
    """BM25 over one page version's FAQ items and sections."""

    def __init__(self, docs: list[Doc]) -> None:
        self.docs = docs
        self.tf = [Counter(d.terms) for d in docs]
        self.lengths = [len(d.terms) for d in docs]
        self.avg_len = (sum(self.lengths) / len(docs)) if docs else 0.0
        df: Counter[str] = Counter()
        for counts in self.tf:
            df.update(counts.keys())
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        # A word the page never uses is as telling as the rarest word it does use.
        self.unseen_idf = math.log(1 + (n + 0.5) / 0.5) if n else 1.0

    @classmethod
    def for_content(cls, content: dict[str, Any]) -> Index:
        docs = [
            Doc(
                "faq",
                f["anchor"],
                f["question"],
                f["answer"],
                tuple(terms(f["question"]) * QUESTION_WEIGHT + terms(" ".join(markup.blocks(f["answer"])))),
            )
            for f in content.get("faqs", [])
        ]
        docs += [
            Doc(
                "section",
                s["anchor"],
                s["heading"],
                s["body"],
                tuple(terms(s["heading"]) * HEADING_WEIGHT + terms(" ".join(markup.blocks(s["body"])))),
            )
            for s in content.get("sections", [])
        ]
        return cls(docs)

    def search(self, query: str, limit: int = 3) -> list[Hit]:
        q = list(dict.fromkeys(terms(query[:MAX_QUERY_CHARS])))  # unique, in order
        if not q or not self.docs:
            return []
        weights = {t: self.idf.get(t, self.unseen_idf) for t in q}
        total_weight = sum(weights.values())
        hits = []
        for doc, counts, length in zip(self.docs, self.tf, self.lengths, strict=True):
            score = 0.0
            covered = 0.0
            for t in q:
                f = counts.get(t, 0)
                if not f:
                    continue
                covered += weights[t]
                norm = f * (K1 + 1) / (f + K1 * (1 - B + B * length / self.avg_len))
                score += self.idf.get(t, 0.0) * norm
            if score > 0:
                hits.append(Hit(doc, score, covered / total_weight))
        hits.sort(key=lambda h: (-h.score, h.doc.kind != "faq"))
        return hits[:limit]


@dataclass(frozen=True)
class Answer:
    query: str
    matched: bool
    best: Hit | None
    others: list[Hit]

    @property
    def html(self) -> str:
        return markup.to_html(self.best.doc.body) if self.best else ""


def good(hit: Hit) -> bool:
    return hit.coverage >= MIN_COVERAGE and hit.score >= MIN_SCORE


_INDEXES: dict[str, Index] = {}


def index_for_version(version: Any) -> Index:
    """The index of a published version, built once per process (versions never change)."""
    key = str(version.public_id)
    index = _INDEXES.get(key)
    if index is None:
        if len(_INDEXES) >= 64:
            _INDEXES.clear()
        index = _INDEXES[key] = Index.for_content(version.content)
    return index


def answer(index: Index, query: str) -> Answer:
    hits = index.search(query)
    good_hits = [h for h in hits if good(h)]
    if not good_hits:
        return Answer(query=query, matched=False, best=None, others=[])
    return Answer(query=query, matched=True, best=good_hits[0], others=good_hits[1:])
