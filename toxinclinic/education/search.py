"""“Ask a question”: the sentence or two of a published page that answer free text, with a link to its part.

How a question meets the page's words:

- both are lower-cased, contractions opened (“can't” → “can not”), lay words replaced by the page's
  (``lexicon.LAY_WORDS``: shots → injections, droop → droopy, get ready → prepare, hurt → pain …) and stemmed
  with the Snowball English stemmer (snowballstemmer), so “injected” meets “injections”;
- a question word the page never uses is matched to the closest page word when it is a likely
  misspelling (rapidfuzz, ratio ≥ ``FUZZY_CUTOFF``): “painfull” → “painful”, “pregnent” → “pregnant”;
- the question's intent (“how soon”, “how long does it last”, “how often”, “what if”) adds the words the
  page's timeline and instructions use, at a lower weight (``INTENTS``).

Ranking is BM25 (bm25s) twice: over the page's parts (sections and FAQ answers, titles counted more) and
over their sentences; a sentence scores its own BM25 plus its part's. The best sentence is the answer,
with the next one when it is short or the sentence introduces a list.

Meaning (``semantic.py``: all-MiniLM-L6-v2 sentence vectors): a found sentence's cosine with the question
adds ``SEMANTIC_WEIGHT`` × (cosine − ``SEMANTIC_FLOOR``) to its score, so meaning re-ranks what the words
found (a sentence none of the question's words found, nor its part, is not brought in by meaning).

Words that only shade a question (``lexicon.LIGHT_WORDS``: “really”, “better”, “mum”; numbers the page does
not print; an intent's cue words) weigh ``LIGHT_WORD_WEIGHT`` of their weight, and an everyday word spelled
right (textstat's Dale–Chall list, ``lexicon.FAMILIAR``) is never “corrected”. A sentence must say the kind of
thing asked (``lexicon.ANSWER_TYPES``: a time for “how long”, digits for “how many”, a person for “who”) or
the next one is tried; a sentence under “For cervical dystonia, …” does not answer a question that names
the part's other scope; a list item whose lead-in alone matches gives way to the whole list.

The honest part: the matched words must carry at least ``MIN_COVERAGE`` of the question's weight (a word
the page never uses weighs as much as its rarest word; of “A or B”, the alternative a part does not say
is no gap), or a cosine of ``SEMANTIC_ACCEPT``, or coverage and cosine adding up to ``JOINT_ACCEPT``;
otherwise the answer says the page has no good answer. No model is downloaded at run time: the sentence
model is an installed package, checked by digest.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import bm25s
import numpy as np
import snowballstemmer
from django.utils.html import format_html
from rapidfuzz import fuzz, process

from toxinclinic.education import markup, semantic
from toxinclinic.education.lexicon import (
    ANSWER_TYPES,
    FAMILIAR,
    INTENTS,
    LAY_PHRASES,
    LAY_WORDS,
    LIGHT_WORDS,
    SHORT_SPELLINGS,
    STOPWORDS,
)
from toxinclinic.education.lexicon import CONTRACTIONS as _CONTRACTIONS

MAX_QUERY_CHARS = 300
MIN_COVERAGE = 0.6
MIN_SCORE = 1.0
TITLE_WEIGHT = 2
INTENT_WEIGHT = 0.75
LIGHT_INTENT_WEIGHT = 0.25
STRONG_INTENT_WEIGHT = 1.5
FUZZY_CUTOFF = 80
FUZZY_MIN_LEN = 5
FAQ_SIMILARITY_WEIGHT = 3.0
UNIT_B = 0.3
UNSEEN_WEIGHT = 1.0
SHORT_SENTENCE_WORDS = 6
FAQ_FIRST_BONUS = 1.5
DEFINITION_BONUS = 3.0
LIGHT_WORD_WEIGHT = 0.25
DOC_WEIGHT = 1.0
OTHER_SCOPE_PENALTY = 3.0
SEMANTIC_WEIGHT = 3.0
SEMANTIC_FLOOR = 0.2
SEMANTIC_ACCEPT = 0.75
JOINT_ACCEPT = 1.0


_TOKEN = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=64)
def _pattern_words(pattern: re.Pattern[str]) -> frozenset[str]:
    """The stems of the literal words an intent's pattern spells out (not what its wildcards match)."""
    return frozenset(_stem(w) for w in re.findall(r"[a-z]{2,}", re.sub(r"\\[a-z]", " ", pattern.pattern)))


logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


_FAMILIAR_STEMS = frozenset(_stem(w) for w in FAMILIAR)
_LIGHT_STEMS = frozenset(_stem(w) for w in LIGHT_WORDS)


def _words(text: str) -> list[str]:
    t = text.lower().replace("’", "'").replace("‘", "'")
    for pat, rep in _CONTRACTIONS:
        t = re.sub(pat, rep, t)
    for pat, rep in LAY_PHRASES:
        t = re.sub(pat, rep, t)
    out: list[str] = []
    for w in _TOKEN.findall(t):
        w = SHORT_SPELLINGS.get(w, w)
        out.extend(LAY_WORDS.get(w, w).split())
    return out


def terms(text: str) -> list[str]:
    """The stems BM25 compares: lay words replaced, stop words dropped, Snowball-stemmed."""
    return [_stem(w) for w in _words(text) if w not in STOPWORDS]


@dataclass(frozen=True)
class Doc:
    """One part of the page: a section or a FAQ item."""

    kind: str  # "faq" or "section"
    anchor: str
    title: str
    body: str  # Markdown


@dataclass(frozen=True)
class Unit:
    """What can be the answer: one or two sentences of a block, or one list item (with its lead-in)."""

    doc: int
    text: str
    first: bool  # starts the part (a FAQ answer's first sentences answer its question)
    context: str = ""  # “For cervical dystonia, …” earlier in the paragraph: what this sentence is about


@dataclass(frozen=True)
class Hit:
    doc: Doc
    score: float
    coverage: float
    snippet: str = ""
    meaning: float = 0.0  # cosine of the question and the answering sentence (0 without the model)
    lexical: float = 0.0  # the score from words alone (``score`` adds meaning)


def _plain(md: str) -> str:
    return re.sub(r"\*\*|__|`", "", md).strip()


#: A sentence that says what the next ones are about: “For cervical dystonia, …”, “Chronic migraine. …”.
_SCOPE = re.compile(
    r"^(?:For|In|With) (?!example|instance|studies|general|addition|short|fact|total|rare|most|some|many)"
    r"([^,.]{3,40}),|^([A-Z][\w -]{2,30})\. "
)


def _units(d_i: int, body: str) -> list[Unit]:
    """Windows of one and two sentences inside each paragraph; each list item with its lead-in line."""
    out: list[Unit] = []
    lead = ""
    first = True
    for block in re.split(r"\n\s*\n", body.strip()):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        if lines and all(ln.startswith(("- ", "* ")) for ln in lines):
            for ln in lines:
                item = _plain(ln[2:])
                opens = _SCOPE.match(lead)
                scope = (opens.group(1) or opens.group(2)) if opens else ""
                out.append(Unit(d_i, f"{lead} … {item}" if lead else item, False, scope))
            lead = ""
            continue
        sentences: list[str] = []
        for sentence in re.split(r"(?<=[.!?:])\s+(?=[A-Z“\"(])", _plain(" ".join(lines))):
            # A bold label (“Chronic migraine.”) belongs to the sentence after it.
            if sentences and len(sentences[-1].split()) <= 3:
                sentences[-1] += " " + sentence
            else:
                sentences.append(sentence)
        scope = ""
        for i, sentence in enumerate(sentences):
            opens = _SCOPE.match(sentence)
            scope = (opens.group(1) or opens.group(2)) if opens else scope
            context = scope
            out.append(Unit(d_i, sentence, first and i == 0, context))
            if i + 1 < len(sentences):
                out.append(Unit(d_i, sentence + " " + sentences[i + 1], first and i == 0, context))
        if sentences and sentences[-1].endswith(":"):
            lead = sentences[-1]
            # The lead-in alone says little; with its list it is an answer.
            items = [_plain(x[2:]) for x in _next_list(body, block)]
            if items:
                out.append(Unit(d_i, lead + " " + "; ".join(items) + ".", False))
        else:
            lead = ""
        first = False
    return out


def _next_list(body: str, block: str) -> list[str]:
    blocks = re.split(r"\n\s*\n", body.strip())
    i = blocks.index(block)
    if i + 1 < len(blocks):
        lines = [ln.strip() for ln in blocks[i + 1].splitlines() if ln.strip()]
        if lines and all(ln.startswith(("- ", "* ")) for ln in lines):
            return lines
    return []


def _bm25(corpus: list[list[str]], b: float = 0.75) -> bm25s.BM25:
    index = bm25s.BM25(k1=1.2, b=b)
    # bm25s refuses an empty document; a placeholder token no question can produce keeps positions aligned.
    index.index([toks or ["\x00"] for toks in corpus], show_progress=False)
    return index


def _scores(index: bm25s.BM25, query: list[str], n: int) -> np.ndarray:
    known = [t for t in query if t in index.vocab_dict]
    if not known:
        return np.zeros(n)
    return np.asarray(index.get_scores(known), dtype=float)


_CONTINUES = re.compile(r"^(for example|for instance|this|these|that|it|they|so|then|each)\b", re.I)
_DEFINES = re.compile(r"^\W*(?:\w+\W+){1,4}?(is|are|means)\b", re.I)
_DEFINITION = re.compile(r"^\s*what(?:'s| is| are| does)\s+(?:an? |the )?(.+?)(?: mean)?\s*\??\s*$", re.I)


class Index:
    """BM25 over one page version's parts and over their one- and two-sentence windows."""

    def _with_list(self, i: int) -> str:
        """A lead-in line (“… include:”) alone says nothing: answer with it and its list."""
        text = self.units[i].text
        if text.endswith(":"):
            for u in self.units[i + 1 : i + 4]:
                if (
                    u.doc == self.units[i].doc
                    and u.text.startswith(text + " ")
                    and not u.text.startswith(text + " …")
                ):
                    return u.text
        nxt = self.units[i + 1] if i + 1 < len(self.units) else None
        if nxt is not None and nxt.doc == self.units[i].doc and nxt.text.startswith(text + " "):
            follow = nxt.text[len(text) + 1 :]
            if _CONTINUES.match(follow) or len(text.split()) < SHORT_SENTENCE_WORDS:
                return nxt.text  # “For example, …”, “This …”: the next sentence finishes the answer
        return text

    def _whole_list_if_asked(self, i: int, own: set[str]) -> str:
        """One list item answers when it holds what was asked; when only its lead-in matches the question
        (“where do the needles go” meets “The shots go into … these muscles:”), the answer is the list."""
        text = self._with_list(i)
        lead, sep, item = self.units[i].text.partition(" … ")
        if not sep or set(terms(item)) & (own - set(terms(lead))):
            return text
        for u in self.units[i - 12 if i > 12 else 0 : i]:
            if (
                u.doc == self.units[i].doc
                and u.text.startswith(lead + " ")
                and not u.text.startswith(lead + " …")
            ):
                return u.text
        return text

    def __init__(self, docs: list[Doc]) -> None:
        self.docs = docs
        self.units: list[Unit] = []
        doc_terms: list[list[str]] = []
        self.title_terms: list[set[str]] = []
        self.title_terms_ordered: list[list[str]] = []
        for d_i, d in enumerate(docs):
            title = terms(d.title)
            self.title_terms.append(set(title))
            self.title_terms_ordered.append(title)
            doc_terms.append(title * TITLE_WEIGHT + terms(markup.sentences(d.body)))
            self.units += _units(d_i, d.body)
        leads = [terms(u.text) for u in self.units]
        self.unit_lead = [tuple(t[:4]) for t in leads]
        self.unit_own = [frozenset(t) for t in leads]  # the sentence's own words, without its part's title
        # A sentence under “Before your visit” is about the visit even when it does not say so.
        unit_terms = [t + sorted(self.title_terms[u.doc]) for t, u in zip(leads, self.units, strict=True)]
        # A sentence after “For cervical dystonia, …” is about cervical dystonia: a question that names the
        # other scope of the same part (“… for migraine”) is not answered by it.
        self.unit_scope = [frozenset(terms(u.context)) for u in self.units]
        self.doc_scopes: dict[int, set[frozenset[str]]] = {}
        for u, sc in zip(self.units, self.unit_scope, strict=True):
            if sc:
                self.doc_scopes.setdefault(u.doc, set()).add(sc)
        self.doc_terms = [Counter(t) for t in doc_terms]
        self.doc_index = _bm25(doc_terms) if docs else None
        # Weak length normalisation: a two-sentence window or a list with its lead-in is not worse for
        # being longer than a single short sentence.
        self.unit_index = _bm25(unit_terms, b=UNIT_B) if self.units else None
        n = len(docs)
        df: Counter[str] = Counter()
        for c in self.doc_terms:
            df.update(c.keys())
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        # A word the page never uses weighs UNSEEN_WEIGHT × the rarest page word's weight.
        self.unseen_idf = UNSEEN_WEIGHT * math.log(1 + (n + 0.5) / 0.5) if n else 1.0
        # Misspellings are corrected towards the page's words and the lay words the table knows.
        self.vocabulary = sorted(
            {w for d in docs for w in _words(d.title + " " + markup.sentences(d.body)) if len(w) >= 4}
            | {w for w in LAY_WORDS if len(w) >= 4 and " " not in w}
        )
        self.vocabulary_by_letter: dict[str, list[str]] = {}
        for w in self.vocabulary:
            self.vocabulary_by_letter.setdefault(w[0], []).append(w)
        self._stems = set(df)
        # What each sentence means (semantic.py), beside the words it uses; None without the model.
        self.unit_vectors = semantic.encode_page([u.text for u in self.units])
        # “They will tell you what to do.” means something only after the sentence before it; its window
        # with that sentence carries the meaning, the sentence alone gets none.
        self.unit_docs = np.array([u.doc for u in self.units], dtype=int)
        self.unit_alone = np.array([not _CONTINUES.match(u.text) for u in self.units], dtype=bool)

    @staticmethod
    def familiar(word: str) -> bool:
        """An everyday English word (spelled right, so never “corrected” towards a page word)."""
        return word in FAMILIAR or _stem(word) in _FAMILIAR_STEMS

    @classmethod
    def for_content(cls, content: dict[str, Any]) -> Index:
        docs = [Doc("faq", f["anchor"], f["question"], f["answer"]) for f in content.get("faqs", [])]
        docs += [Doc("section", s["anchor"], s["heading"], s["body"]) for s in content.get("sections", [])]
        return cls(docs)

    def query_terms(self, query: str) -> tuple[list[str], list[str]]:
        """(the question's own stems, spelling-corrected; the intent's extra stems)."""
        own: list[str] = []
        for w in _words(query[:MAX_QUERY_CHARS]):
            if w in STOPWORDS:
                continue
            s = _stem(w)
            if s not in self._stems and len(w) >= FUZZY_MIN_LEN and not w.isdigit() and not self.familiar(w):
                # A typo rarely changes the first letter; without that, “parking” would become “speaking”.
                same_start = self.vocabulary_by_letter.get(w[0], [])
                match = process.extractOne(w, same_start, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
                if match is not None:
                    own.extend(terms(match[0]) or [_stem(match[0])])
                    continue
            own.append(s)
        own = list(dict.fromkeys(own))
        low = " ".join(_words(query))
        extra: list[str] = []
        light: list[str] = []
        strong: list[str] = []  # an instruction the question asks for outright (“should I stop …”)
        consumed: set[str] = set()
        for pattern, words in INTENTS:
            m = pattern.search(query.lower()) or pattern.search(low)
            if m:
                into = light if words.startswith("~") else strong if words.startswith("!") else extra
                into += [t for t in terms(words.lstrip("~!")) if t not in own and t not in extra + strong]
                # “fast” in “how fast” asks for the timeline; it is not a word the answer must contain.
                # Every phrase of the intent counts (“how soon will I feel better”: “soon” and “better”), but
                # only the pattern's own words: “can I smoke after” must not lose “smoke” to the “.*”.
                cues = _pattern_words(pattern)
                for text in (query.lower(), low):
                    for each in pattern.finditer(text):
                        consumed.update(t for t in terms(each.group(0)) if t in cues)
        kept = [t for t in own if t not in consumed or t in self._stems]
        # A cue word the page also uses (“work” in “how fast does it work”) stays, but only shades.
        self._cues = {t for t in kept if t in consumed}
        # “lying down or sitting”: either alternative answers; the one the page does not mention is no gap.
        self._alternatives = self._or_pairs(query)
        self._light = light
        self._strong = strong
        return (kept or own), extra

    def _or_pairs(self, query: str) -> list[tuple[str, str]]:
        """The stems on either side of each “or”, up to two words a side (“lying down or sitting”)."""
        words = [w for w in _words(query[:MAX_QUERY_CHARS]) if w not in STOPWORDS or w == "or"]
        pairs = []
        for i, w in enumerate(words):
            if w != "or":
                continue
            left = [x for x in words[max(0, i - 2) : i] if x != "or"]
            right = [x for x in words[i + 1 : i + 3] if x != "or"]
            pairs += [(_stem(a), _stem(b)) for a in left for b in right]
        return pairs

    def search(self, query: str, limit: int = 3) -> list[Hit]:
        query = query[:MAX_QUERY_CHARS]
        own, extra = self.query_terms(query)
        if not own or self.doc_index is None or self.unit_index is None:
            return []
        # Words that only shade the question (“normal”, “same”, “else”) count little, on the page or not.
        # So does an intent's cue word that the page also uses (“work” in “how fast does it work”): the
        # intent asks for it, so it ranks like the intent's words, but the part need not contain it.
        # A number the page does not print (“20 headache days”) is a detail of the question, not its topic.
        shade = [
            t
            for t in own
            if (t in _LIGHT_STEMS or (t.isdigit() and t not in self._stems)) and t not in self._cues
        ]
        cues = [t for t in own if t in self._cues]
        topic = [t for t in own if t not in shade and t not in cues]
        if not topic:  # nothing but cues and shading words: they are the question
            topic, cues = cues or shade, []
            shade = [t for t in shade if t not in topic]
        weights = {
            t: self.idf.get(t, self.unseen_idf) * (LIGHT_WORD_WEIGHT if t in shade or t in cues else 1.0)
            for t in own
        }
        total = sum(weights.values())
        n_docs, n_units = len(self.docs), len(self.units)
        doc_scores = _scores(self.doc_index, topic, n_docs)
        unit_scores = _scores(self.unit_index, topic, n_units)
        for words, weight in (
            (shade, LIGHT_WORD_WEIGHT),
            (cues, INTENT_WEIGHT),
            (extra, INTENT_WEIGHT),
            (self._strong, STRONG_INTENT_WEIGHT),
            (self._light, LIGHT_INTENT_WEIGHT),
        ):
            if words:
                doc_scores = doc_scores + weight * _scores(self.doc_index, words, n_docs)
                unit_scores = unit_scores + weight * _scores(self.unit_index, words, n_units)
        for d_i, d in enumerate(self.docs):
            if d.kind == "faq":
                # A FAQ question worded like the patient's is the strongest sign of the right answer.
                sim = fuzz.token_sort_ratio(" ".join(own), " ".join(self.title_terms_ordered[d_i])) / 100
                doc_scores[d_i] += FAQ_SIMILARITY_WEIGHT * max(0.0, sim - 0.5) * 2
        meaning = bonus = np.zeros(n_units)
        enc = semantic.encoder()
        if enc is not None and self.unit_vectors is not None:
            # Cosine of the question and each sentence; below SEMANTIC_FLOOR it is noise, not meaning.
            meaning = (self.unit_vectors @ enc.encode([query])[0]) * self.unit_alone
            # Meaning re-ranks the sentences the question's words found (in the sentence or its part);
            # it brings in no other sentence, so a question on another topic stays declined.
            found = (unit_scores > 0) | (doc_scores[self.unit_docs] > 0)
            bonus = found * SEMANTIC_WEIGHT * np.maximum(meaning - SEMANTIC_FLOOR, 0.0)
        definition = _DEFINITION.match(" ".join(_words(query)))
        subject = set(terms(definition.group(1))) if definition else set()
        title_cover = [sum(w for t, w in weights.items() if t in tt) / total for tt in self.title_terms]
        wanted = answer_types(query)
        own_set = set(own)
        best: dict[int, tuple[float, int]] = {}
        for i, u in enumerate(self.units):
            score = float(unit_scores[i])
            if score <= 0 and doc_scores[u.doc] <= 0:
                continue
            if wanted and not all(says.search(self._with_list(i)) for says in wanted):
                continue  # “how long …” is not answered by a sentence that gives no time
            if (
                u.first
                and self.docs[u.doc].kind == "faq"
                and title_cover[u.doc] >= 0.5
                # One shared word (“after”) is weak evidence that this FAQ is the question asked.
                and (len(self.title_terms[u.doc] & own_set) >= 2 or not self.unit_own[i].isdisjoint(own))
            ):
                # The first sentences of a FAQ answer are written to answer its question.
                score += FAQ_FIRST_BONUS
            if subject and set(self.unit_lead[i][: len(subject)]) == subject and _DEFINES.search(u.text):
                score += DEFINITION_BONUS  # “Botox is …”, “Cervical dystonia is …”
            if self.unit_scope[i] and self.unit_scope[i].isdisjoint(own_set):
                named = {t for sc in self.doc_scopes[u.doc] if sc != self.unit_scope[i] for t in sc & own_set}
                if named and named.isdisjoint(self.unit_own[i]):
                    score -= OTHER_SCOPE_PENALTY
            lexical = DOC_WEIGHT * float(doc_scores[u.doc]) + score
            total_score = lexical + float(bonus[i])
            if u.doc not in best or total_score > best[u.doc][0]:
                best[u.doc] = (total_score, i, lexical)
        page_terms = set(self._stems)
        hits = []
        for d_i, (score, u_i, lexical) in best.items():
            in_doc = sum(w for t, w in weights.items() if t in self.doc_terms[d_i])
            # A word found elsewhere on the page counts half: the page knows it, this part may not say it.
            elsewhere = sum(w for t, w in weights.items() if t not in self.doc_terms[d_i] and t in page_terms)
            # Of “A or B”, the alternative this part does not say is not asked of it.
            spared = sum(
                weights.get(x, 0.0)
                for a, b in self._alternatives
                for x, other in ((a, b), (b, a))
                if x not in self.doc_terms[d_i] and other in self.doc_terms[d_i]
            )
            coverage = (in_doc + 0.5 * elsewhere) / max(total - spared, 1e-9)
            hits.append(
                Hit(
                    self.docs[d_i],
                    score,
                    coverage,
                    self._whole_list_if_asked(u_i, set(own)),
                    float(meaning[u_i]),
                    lexical,
                )
            )
        hits.sort(key=lambda h: (-h.score, h.doc.kind != "faq"))
        return hits[:limit]


@dataclass(frozen=True)
class Answer:
    query: str
    matched: bool
    best: Hit | None
    others: list[Hit] = field(default_factory=list)

    @property
    def snippet(self) -> str:
        return self.best.snippet if self.best else ""

    @property
    def html(self) -> str:
        """The snippet as one escaped paragraph (the page's words, never its markup)."""
        return str(format_html("<p>{}</p>", self.snippet)) if self.best else ""


def good(hit: Hit) -> bool:
    # A sentence that says what was asked in other words (“knocked out” for “awake”) leaves the
    # question's words uncovered; a close enough meaning answers all the same.
    close = hit.meaning >= SEMANTIC_ACCEPT
    # Half the question's words and a fairly close meaning together are as good as either alone.
    together = hit.coverage + hit.meaning >= JOINT_ACCEPT
    return (hit.coverage >= MIN_COVERAGE or close or together) and (hit.lexical >= MIN_SCORE or close)


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


def answer_types(query: str) -> list[re.Pattern[str]]:
    """“How long …” wants a time, “how many …” a number: what an answering sentence must say."""
    q = " ".join(_TOKEN.findall(query.lower()))
    wanted = [says for asks, says in ANSWER_TYPES if asks.search(q)]
    unit = _HOW_MANY_UNITS.search(q)
    if unit:  # “how many days …” is not answered in seconds
        wanted.append(re.compile(rf"\b{unit.group(1)}s?\b", re.I))
    return wanted


_HOW_MANY_UNITS = re.compile(r"\bhow many (second|minute|hour|day|week|month)s?\b")


def answer(index: Index, query: str) -> Answer:
    hits = index.search(query)
    good_hits = [h for h in hits if good(h)]
    if not good_hits:
        return Answer(query=query, matched=False, best=None, others=[])
    return Answer(query=query, matched=True, best=good_hits[0], others=good_hits[1:])
