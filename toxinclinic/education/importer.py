"""Import a clinic's existing treatment page from a plain-text export of its current website.

The layout, one item per line (blank lines between items are optional)::

    0:00 / 0:00                       optional audio-player line, ignored
    Headshot of the Doctor            optional picture description (a line naming a photo/headshot/image)
    Jane Doe MD                       provider's name, credentials at the end
    Harbour Neurology                 practice name
    Botox for chronic migraine        page title
    1714000000                        Unix timestamp (seconds): the page's publish date
    body lines …                      a short line without a full stop starts a new section
    FAQs
    Does it hurt?                     a question: a line ending in “?”
    answer lines …                    its answer, one paragraph per line

``parse`` reads the text (or refuses it with ``ImportProblem``: the line and what was expected) without
touching the database; ``store`` writes provider, page and a new version in one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from toxinclinic.education.models import Condition, FAQItem, PageSection, Provider, TreatmentPage

MAX_IMPORT_BYTES = 1024 * 1024
#: Publish dates outside these years are almost certainly a typo or milliseconds.
FIRST_YEAR, LAST_YEAR = 1995, 2100
MAX_HEADING_WORDS = 12
EMPTY = "the file is empty; expected the page text (provider, title, date, body, FAQs)."
PLAYER = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?\s*/\s*\d{1,2}:\d{2}(?::\d{2})?$")
PICTURE = re.compile(r"\b(headshot|photo|photograph|picture|image|portrait)\b", re.I)
FAQ_LINE = re.compile(r"^(faqs?|frequently asked questions):?$", re.I)
CREDENTIAL = re.compile(r"^(?:[A-Z]{2,6}|PhD|DPhil|MBChB|MBBS|MBBCh|PA-C|FRCP\(?[A-Za-z]*\)?)$")
LIST_ITEM = re.compile(r"^(?:[-*•]\s+)(.*)$")


class ImportProblem(Exception):
    """The file does not follow the layout; ``line`` is 1-based (None when the file as a whole is wrong)."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class ParsedPage:
    picture_alt: str
    provider_name: str
    credentials: str
    practice: str
    title: str
    published: datetime
    sections: list[dict[str, str]]
    faqs: list[dict[str, str]]
    conditions: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """The first sentences of the body, up to 300 characters (the page's search-result text)."""
        first = next((s["body"] for s in self.sections if s["body"]), self.title)
        first = LIST_ITEM.sub(r"\1", first.split("\n\n")[0])
        out = ""
        for sentence in re.split(r"(?<=[.!?])\s+", first):
            if len(out) + len(sentence) + 1 > 300:
                break
            out = f"{out} {sentence}".strip()
        return out or first[:297].rstrip() + "…"


def decode(data: bytes) -> str:
    """Bytes → text; binary and non-UTF-8 files are refused with the line of the first bad byte."""
    if not data.strip():
        raise ImportProblem(1, EMPTY)
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportProblem(
            None,
            f"the file is {len(data) / 1024 / 1024:.1f} MB; a page export is at most "
            f"{MAX_IMPORT_BYTES // 1024 // 1024} MB of plain text. Check that you chose the right file.",
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ImportProblem(
            data.count(b"\n", 0, nul) + 1,
            "this is not a text file (it contains binary data); expected plain text (UTF-8), "
            "for example saved from a text editor.",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblem(
            data.count(b"\n", 0, exc.start) + 1,
            f"byte {data[exc.start]:#04x} is not UTF-8 text; save the file as UTF-8 plain text.",
        ) from None
    return text


def _lines(text: str) -> list[tuple[int, str]]:
    bad = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", text)
    if bad:
        raise ImportProblem(
            text.count("\n", 0, bad.start()) + 1,
            "a control character is not page text; expected plain text.",
        )
    return [
        (n, " ".join(line.split()))
        for n, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1)
        if line.strip()
    ]


def split_credentials(line: str) -> tuple[str, str]:
    """“Jane Doe MD, FAAN” → (“Jane Doe”, “MD, FAAN”); a name without credentials is kept whole."""
    words = line.replace(",", " ").split()
    creds: list[str] = []
    while len(words) > 1 and CREDENTIAL.match(words[-1].replace(".", "")):
        creds.insert(0, words.pop().replace(".", "") if words[-1].count(".") > 1 else words.pop())
    return " ".join(words), ", ".join(creds)


def _is_heading(text: str) -> bool:
    return (
        len(text.split()) <= MAX_HEADING_WORDS
        and text[-1] not in ".!,;:"
        and not LIST_ITEM.match(text)
        and not text[0].isdigit()
    )


def _limit(n: int, what: str, text: str, most: int) -> str:
    if len(text) > most:
        raise ImportProblem(n, f"the {what} is {len(text)} characters long; expected at most {most}.")
    return text


def parse(text: str) -> ParsedPage:
    """Read an export in the module's layout; ``ImportProblem`` names the first line that does not fit."""
    lines = _lines(text)
    if not lines:
        raise ImportProblem(1, EMPTY)
    pos = 0

    def take(expected: str) -> tuple[int, str]:
        nonlocal pos
        if pos >= len(lines):
            last = lines[-1][0] if lines else 0
            raise ImportProblem(last + 1, f"the file ends here; expected {expected}.")
        pos += 1
        return lines[pos - 1]

    if PLAYER.match(lines[0][1]):
        pos = 1
    alt = ""
    if pos < len(lines) and PICTURE.search(lines[pos][1]) and not lines[pos][1].isdigit():
        _, alt = take("")
        alt = _limit(lines[pos - 1][0], "picture description", alt, 200)
    n, who = take("the provider's name with credentials, for example “Jane Doe MD”")
    if who.isdigit() or FAQ_LINE.match(who):
        raise ImportProblem(n, f"expected the provider's name with credentials, found “{who[:60]}”.")
    name, creds = split_credentials(who)
    _limit(n, "provider's name", name, 120)
    _limit(n, "credentials", creds, 60)
    n, practice = take("the practice's name")
    if practice.isdigit():
        raise ImportProblem(n, f"expected the practice's name, found the number “{practice}”.")
    _limit(n, "practice name", practice, 160)
    n, title = take("the page title")
    if title.isdigit():
        raise ImportProblem(
            n, f"expected the page title, found the number “{title}” (is the title missing above the date?)."
        )
    if FAQ_LINE.match(title):
        raise ImportProblem(n, "expected the page title, found “FAQs”.")
    _limit(n, "title", title, 160)
    n, stamp = take("the publish date as a Unix timestamp in seconds, for example 1714000000")
    if not re.fullmatch(r"\d{1,16}", stamp):
        raise ImportProblem(
            n,
            f"expected the publish date as a Unix timestamp in seconds (digits only, for example "
            f"1714000000), found “{stamp[:60]}”.",
        )
    low = int(datetime(FIRST_YEAR, 1, 1, tzinfo=UTC).timestamp())
    high = int(datetime(LAST_YEAR, 12, 31, tzinfo=UTC).timestamp())
    if not low <= int(stamp) <= high:
        hint = " It looks like milliseconds; drop the last three digits." if len(stamp) >= 13 else ""
        raise ImportProblem(
            n,
            f"the timestamp {stamp} is not a date between {FIRST_YEAR} and {LAST_YEAR}; expected seconds "
            f"since 1 January 1970.{hint}",
        )
    published = datetime.fromtimestamp(int(stamp), tz=UTC)

    sections: list[dict[str, Any]] = []
    taken: set[str] = set()
    while pos < len(lines) and not FAQ_LINE.match(lines[pos][1]):
        n, line = take("")
        if _is_heading(line):
            _limit(n, "section heading", line, 160)
            sections.append({"heading": line, "paras": [], "line": n})
        else:
            if not sections:
                sections.append({"heading": "About this treatment", "paras": [], "line": n})
            sections[-1]["paras"].append(line)
    for s in sections:
        if not s["paras"]:
            raise ImportProblem(
                s["line"],
                f"the heading “{s['heading'][:60]}” has no text under it; expected at least one paragraph "
                "(a line ending in a full stop) after it.",
            )
    if not sections:
        n = lines[pos][0] if pos < len(lines) else lines[-1][0] + 1
        raise ImportProblem(n, "expected the page's body paragraphs after the date.")

    faqs: list[dict[str, Any]] = []
    if pos < len(lines):
        pos += 1  # the FAQs line
        while pos < len(lines):
            n, line = take("")
            if line.endswith("?") and (not faqs or faqs[-1]["paras"]):
                _limit(n, "question", line, 200)
                faqs.append({"question": line, "paras": [], "line": n})
            elif not faqs:
                raise ImportProblem(
                    n, f"expected a question (a line ending in “?”) after FAQs, found “{line[:60]}”."
                )
            elif line.endswith("?"):
                q = faqs[-1]
                raise ImportProblem(
                    q["line"],
                    f"the question “{q['question'][:60]}” has no answer; expected its answer on the next "
                    "line, before the next question.",
                )
            else:
                faqs[-1]["paras"].append(line)
        if not faqs:
            raise ImportProblem(lines[-1][0] + 1, "the file ends after FAQs; expected questions and answers.")
        if not faqs[-1]["paras"]:
            q = faqs[-1]
            raise ImportProblem(
                q["line"],
                f"the question “{q['question'][:60]}” has no answer; expected its answer on the next line.",
            )

    def markdown(paras: list[str]) -> str:
        blocks: list[str] = []
        for p in paras:
            m = LIST_ITEM.match(p)
            if m and blocks and blocks[-1].startswith("- "):
                blocks[-1] += "\n- " + m.group(1)
            else:
                blocks.append("- " + m.group(1) if m else p)
        return "\n\n".join(blocks)

    out_sections = []
    for s in sections:
        anchor = slugify(s["heading"])[:60].strip("-") or "section"
        base, i = anchor, 2
        while anchor in taken or anchor in {"main", "ask", "listen", "faq", "contents", "provider", "answer"}:
            anchor, i = f"{base[:56]}-{i}", i + 1
        taken.add(anchor)
        out_sections.append({"anchor": anchor, "heading": s["heading"], "body": markdown(s["paras"])})
    all_text = " ".join([title, *(s["body"] for s in out_sections)]).lower()
    conditions = [
        c.value
        for c, word in ((Condition.CHRONIC_MIGRAINE, "migraine"), (Condition.CERVICAL_DYSTONIA, "dystonia"))
        if word in all_text
    ]
    return ParsedPage(
        picture_alt=alt,
        provider_name=name,
        credentials=creds,
        practice=practice,
        title=title,
        published=published,
        sections=out_sections,
        faqs=[{"question": f["question"], "answer": markdown(f["paras"])} for f in faqs],
        conditions=conditions,
    )


@dataclass(frozen=True)
class ImportResult:
    provider: Provider
    provider_created: bool
    page: TreatmentPage
    page_created: bool
    version: Any  # PageVersion or None (draft, or nothing changed)
    unchanged: bool

    def lines(self) -> list[str]:
        """What was made, in words (the command prints these; the editor shows them)."""
        p, page = self.provider, self.page
        made = {True: "Created", False: "Updated"}
        out = [
            f"{made[self.provider_created]} provider {p.display_name} ({p.practice}).",
            f"{made[self.page_created]} page “{page.title}” at /treatments/{page.slug}/: "
            f"{page.sections.count()} sections, {page.faqs.count()} questions, published on "
            f"{page.date_published:%-d %B %Y}.",
        ]
        if self.unchanged:
            n = page.published_version.number if page.published_version else 0
            out.append(f"Nothing changed since version {n}; it stays live.")
        elif self.version is not None:
            out.append(f"Published version {self.version.number}; its narration is queued.")
        else:
            out.append("Saved as a draft: not published. Publish it from the editor.")
        return out


def _tel(phone: str) -> str:
    """The clinic's phone as a tel: link (digits and a leading +), or "" when it has too few digits."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return f"tel:{digits}" if sum(ch.isdigit() for ch in digits) >= 5 else ""


def find_clinic(name_or_id: str) -> Any:
    """A clinic by exact public id or (case-insensitive) name; ValueError saying what matched."""
    from toxinclinic.accounts.models import Clinic
    from toxinclinic.patients.services import parse_public_id

    key = name_or_id.strip()
    try:
        uid = parse_public_id(key)
    except Exception:
        uid = None
    if uid is not None:
        clinic = Clinic.objects.filter(public_id=uid).first()
        if clinic:
            return clinic
    matches = list(Clinic.objects.filter(name__iexact=key)[:2])
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValueError(f"Two or more clinics are called “{key}”; give the clinic's public id instead.")
    raise ValueError(f"No clinic is called “{key}” (or has that public id).")


def store(
    parsed: ParsedPage, clinic: Any, *, actor: Any = None, draft: bool = False, slug: str = ""
) -> ImportResult:
    """Create or update provider, page, sections and FAQ; publish a new version unless ``draft``.

    All in one transaction: if anything is refused, nothing is stored.
    """
    from toxinclinic.audit.services import log_action
    from toxinclinic.education import services

    slug = slug or slugify(parsed.title)[:80].strip("-")
    if not slug or slug in ("manage", "files"):
        raise ImportProblem(None, f"the title gives the address “{slug}”, which cannot be used; give --slug.")
    with transaction.atomic():
        other = TreatmentPage.objects.filter(slug=slug).exclude(clinic=clinic).exists()
        if other:
            raise ImportProblem(
                None, f"the address /treatments/{slug}/ is another clinic's page; choose another slug."
            )
        provider = (
            Provider.objects.select_for_update().filter(clinic=clinic, name=parsed.provider_name).first()
        )
        provider_created = provider is None
        if provider is None:
            provider = Provider(
                clinic=clinic,
                name=parsed.provider_name,
                booking_url=_tel(clinic.phone) or "/treatments/",
                booking_label="Book an evaluation" + (f" ({clinic.phone})" if clinic.phone else ""),
            )
        else:
            provider.version += 1
        provider.credentials = parsed.credentials
        provider.practice = parsed.practice
        if parsed.picture_alt:
            provider.headshot_alt = parsed.picture_alt
        provider.full_clean()
        provider.save()
        page = TreatmentPage.objects.select_for_update().filter(clinic=clinic, slug=slug).first()
        page_created = page is None
        if page is None:
            page = TreatmentPage(clinic=clinic, slug=slug)
        else:
            page.version += 1
        page.title = parsed.title
        page.summary = parsed.summary
        page.provider = provider
        page.date_published = parsed.published
        if parsed.conditions:
            page.conditions = parsed.conditions
        page.save()
        page.sections.all().delete()
        page.faqs.all().delete()
        PageSection.objects.bulk_create(
            PageSection(page=page, position=i, anchor=s["anchor"], heading=s["heading"], body=s["body"])
            for i, s in enumerate(parsed.sections)
        )
        FAQItem.objects.bulk_create(
            FAQItem(page=page, position=i, question=f["question"], answer=f["answer"])
            for i, f in enumerate(parsed.faqs)
        )
        log_action(
            "education.page_imported",
            actor=actor,
            obj=page,
            clinic_id=clinic.pk,
            data={"slug": slug, "sections": len(parsed.sections), "faqs": len(parsed.faqs), "draft": draft},
        )
        version, unchanged = None, False
        if not draft:
            try:
                version = services.publish(
                    page, actor=actor, expected_version=page.version, label="" if actor else "import"
                )
            except services.NothingToPublish:
                unchanged = True
            except services.NotPublishable as exc:
                raise ImportProblem(None, str(exc)) from None
    page.refresh_from_db()
    return ImportResult(provider, provider_created, page, page_created, version, unchanged)
