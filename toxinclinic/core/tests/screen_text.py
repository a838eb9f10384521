"""What a person sees on a page, and the codes that must never be in it (issue 13 §4, §5).

Used by the demo crawl (test_words_not_codes.py): the visible text is every text node outside <script>,
<style> and <textarea>; attribute values (hrefs, input values, data attributes, ids) are not seen and are
not checked. The <title> is checked: it is shown in the browser tab.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from toxinclinic.clinical import dosing

_HIDDEN = {"script", "style", "textarea", "template"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._skip += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self._skip:
            self._skip -= 1
        if tag in {"p", "div", "li", "td", "th", "tr", "br", "h1", "h2", "h3", "option", "section"}:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> tuple[str, list[str]]:
    """The page's visible text (tags stripped, attribute values left out) and its link targets."""
    p = _Text()
    p.feed(html)
    p.close()
    return " ".join("".join(p.parts).split(" ")), p.links


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# snake_case: the engine's rule codes (session_max), site ids (temporalis_left_1), raw enum values
# (chronic_migraine, not_tolerated, simple_analgesic), audit action names (triage.called_back).
SNAKE = re.compile(r"\b(?:[a-z][a-z0-9]*|\d+)(?:_[a-z0-9]+)+\b")
DOTTED_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)*\.[a-z]+_[a-z_]+\b|\b(?:chart|visit|patient|triage)\.[a-z]+\b")
# Every rule code is snake_case except "dilution", which is also the English word (not checked alone).
RULE_CODES = frozenset(c for c in dosing.RULES if "_" in c)

# Another country's strings in a US clinic's screens: UK emergency number, UK phone numbers and places.
FOREIGN = {
    # Not inside a longer token: a record's UUID (“e7f999ee-…”) is no phone number.
    "999 (the UK emergency number)": re.compile(r"(?<![\w,.-])999(?![\w,.-])"),
    "+44 (a UK phone number)": re.compile(r"\+44"),
    "a UK phone number": re.compile(r"\b0(?:20|7\d{3}|1\d{2,3}) ?\d{3,4} ?\d{3,4}\b"),
    "London": re.compile(r"\bLondon\b"),
    "NHS": re.compile(r"\bNHS\b"),
    "A&E": re.compile(r"\bA&E\b"),
    "GP (UK family doctor)": re.compile(r"\bGP\b"),
    "paracetamol (US: acetaminophen)": re.compile(r"\bparacetamol\b", re.I),
    "a UK postcode": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b"),
}


# A date written day-first ("12 Mar 2026", "1 Dec 18:52") on a month-first (US) clinic's screen.
DAY_FIRST = re.compile(
    r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?(?= \d|[ ,.;)]|$)"
)


def day_first_dates_in(text: str) -> list[str]:
    return sorted(
        {f"day-first date {m.group(0)!r} in …{_around(text, m)}…" for m in DAY_FIRST.finditer(text)}
    )


def codes_in(text: str) -> list[str]:
    """Each code or ISO date found in ``text``, with a little context."""
    found = []
    for rx, what in ((ISO_DATE, "ISO date"), (SNAKE, "code"), (DOTTED_CODE, "code")):
        for m in rx.finditer(text):
            found.append(f"{what} {m.group(0)!r} in …{_around(text, m)}…")
    return sorted(set(found))


def foreign_in(text: str) -> list[str]:
    return sorted(
        {f"{what} in …{_around(text, m)}…" for what, rx in FOREIGN.items() for m in rx.finditer(text)}
    )


def _around(text: str, m: re.Match[str]) -> str:
    return " ".join(text[max(0, m.start() - 40) : m.end() + 40].split())
