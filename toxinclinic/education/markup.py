"""Markdown in, safe HTML and plain text out.

Editors write Markdown; whatever HTML it produces (including raw HTML typed into it) is cleaned by nh3
against a short allow-list, so a page can never carry a script, a style or an event handler.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

import markdown as md
import nh3

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "h3", "h4", "blockquote", "br", "code", "abbr"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_BLOCK = {"p", "li", "h3", "h4", "blockquote", "br"}


@lru_cache(maxsize=1024)
def to_html(text: str) -> str:
    """Markdown → sanitised HTML fragment. Headings inside a section start at h3 (h2 is the section's)."""
    raw = md.markdown(text or "", extensions=["sane_lists"], output_format="html")
    # A "# Heading" typed into a section body must not outrank the section heading.
    raw = re.sub(r"<(/?)h[12]>", r"<\1h3>", raw)
    return nh3.clean(raw, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in _BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        self._buf.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._buf).split())
        if text:
            self.blocks.append(text)
        self._buf = []

    def close(self) -> None:
        super().close()
        self._flush()


def blocks(text: str) -> list[str]:
    """The Markdown's text as blocks (paragraphs, list items, headings), markup removed."""
    parser = _Text()
    parser.feed(to_html(text))
    parser.close()
    return parser.blocks


def sentences(text: str) -> str:
    """Plain text where every block ends as a sentence, so list items read (and score) as sentences."""
    out = []
    for b in blocks(text):
        out.append(b if b[-1] in ".!?:" else b + ".")
    return " ".join(out)
