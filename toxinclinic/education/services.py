"""Use cases for treatment pages: snapshot the draft, publish a version, look pages up."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from toxinclinic.accounts.locale import format_date
from toxinclinic.audit.services import log_action
from toxinclinic.core.errors import Conflict
from toxinclinic.education import markup
from toxinclinic.education.models import Condition, FAQItem, PageSection, PageVersion, Provider, TreatmentPage
from toxinclinic.education.permissions import can_edit_education_object
from toxinclinic.patients.services import parse_public_id

SNAPSHOT_SCHEMA = 1


class NothingToPublish(Exception):
    """The draft is the same as the published version."""


class NotPublishable(Exception):
    """The draft lacks something a public page needs."""


def provider_snapshot(p: Provider) -> dict[str, Any]:
    return {
        "public_id": str(p.public_id),
        "name": p.name,
        "credentials": p.credentials,
        "display_name": p.display_name,
        "role": p.role,
        "practice": p.practice,
        "location": p.location,
        "booking_url": p.booking_url,
        "booking_label": p.booking_label,
        "headshot": p.headshot.name if p.headshot else "",
        "headshot_width": p.headshot_width,
        "headshot_height": p.headshot_height,
        "headshot_alt": p.headshot_alt,
    }


def faq_anchor(question: str, taken: set[str]) -> str:
    base = "faq-" + (slugify(question)[:50].strip("-") or "item")
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    taken.add(anchor)
    return anchor


def draft_content(page: TreatmentPage) -> dict[str, Any]:
    """The draft as the same JSON a published version stores (so preview and public use one template)."""
    taken: set[str] = set()
    sections = []
    for s in page.sections.all():
        taken.add(s.anchor)
        sections.append({"anchor": s.anchor, "heading": s.heading, "body": s.body})
    faqs = [
        {"anchor": faq_anchor(f.question, taken), "question": f.question, "answer": f.answer}
        for f in page.faqs.all()
    ]
    clinic = page.clinic
    return {
        "schema": SNAPSHOT_SCHEMA,
        "slug": page.slug,
        "title": page.title,
        "summary": page.summary,
        "therapy": page.therapy,
        "conditions": list(page.conditions),
        "date_published": timezone.localtime(page.date_published).isoformat() if page.date_published else "",
        "clinic": {
            "name": clinic.name,
            "phone": clinic.phone,
            "emergency_number": clinic.emergency_number,
        },
        "provider": provider_snapshot(page.provider),
        "sections": sections,
        "faqs": faqs,
    }


def fill_from_content(page_obj: TreatmentPage, d: dict[str, Any]) -> None:
    """Give a new page the sections and FAQ items of a content dict (e.g. content.default_page)."""
    PageSection.objects.bulk_create(
        PageSection(page=page_obj, position=i, anchor=s["anchor"], heading=s["heading"], body=s["body"])
        for i, s in enumerate(d["sections"])
    )
    FAQItem.objects.bulk_create(
        FAQItem(page=page_obj, position=i, question=f["question"], answer=f["answer"])
        for i, f in enumerate(d["faqs"])
    )


def _published_words(value: str) -> str:
    """A snapshot's ``date_published`` (ISO text) as the clinic writes a date ("April 25, 2024"), on the
    clinic's calendar (a datetime is moved to the clinic's time zone first)."""
    try:
        when: dt.date | dt.datetime = (
            dt.date.fromisoformat(value) if len(value) == 10 else dt.datetime.fromisoformat(value)
        )
    except ValueError:
        return value[:10]
    return format_date(when, style="long")


def page_text(content: dict[str, Any]) -> str:
    """The page as Markdown-like text: what the version diff compares, line by line. Written for the
    editor who reads the diff: conditions by name and the publish date in the clinic's format."""
    p = content["provider"]
    labels = dict(Condition.choices)
    lines = [
        f"# {content['title']}",
        "",
        f"Summary: {content['summary']}",
        f"Treatment: {content['therapy']}",
        f"Conditions: {', '.join(labels.get(c, c) for c in content['conditions'])}",
        *(
            [f"Published: {_published_words(content['date_published'])}"]
            if content.get("date_published")
            else []
        ),
        f"Provider: {p['display_name']} | {p['role']} | {p['practice']} | {p['location']}",
        f"Booking: {p['booking_label']} -> {p['booking_url']}",
        f"Headshot: {p['headshot'] or '(none)'} | {p['headshot_alt']}",
        "",
    ]
    for s in content["sections"]:
        lines += [f"## {s['heading']} {{#{s['anchor']}}}", "", *s["body"].splitlines(), ""]
    if content["faqs"]:
        lines += ["## Frequently asked questions", ""]
        for f in content["faqs"]:
            lines += [f"### {f['question']}", "", *f["answer"].splitlines(), ""]
    return "\n".join(lines)


def narration_text(content: dict[str, Any], published_on: str = "") -> str:
    """What the narrator reads: the page's own words, in page order, as sentences."""
    p = content["provider"]
    parts = [content["title"] + "."]
    who = ", ".join(x for x in (p["display_name"], p["role"], p["practice"]) if x)
    parts.append(f"From {who}.")
    if published_on:
        parts.append(f"Updated {published_on}.")
    for s in content["sections"]:
        parts.append(s["heading"] + ".")
        parts.append(markup.sentences(s["body"]))
    if content["faqs"]:
        parts.append("Frequently asked questions.")
        for f in content["faqs"]:
            parts.append(f["question"])
            parts.append(markup.sentences(f["answer"]))
    return "\n\n".join(parts)


def unified_diff(before: str, after: str, before_label: str, after_label: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=before_label,
            tofile=after_label,
            n=2,
        )
    )


def check_publishable(content: dict[str, Any]) -> list[str]:
    problems = []
    if not content["title"].strip():
        problems.append("The page needs a title.")
    if not content["sections"]:
        problems.append("The page needs at least one section.")
    if not content["provider"]["booking_url"]:
        problems.append("The provider needs a booking link.")
    if content["provider"]["headshot"] and not content["provider"]["headshot_alt"].strip():
        problems.append("The provider's headshot needs a description (alt text).")
    return problems


def publish(page: TreatmentPage, *, actor: Any, expected_version: int | None, label: str = "") -> PageVersion:
    """Snapshot the draft as a new immutable version, make it public, and queue its narration.

    Refused with ``Conflict`` when the draft changed since the editor loaded it, ``NothingToPublish``
    when it equals the live version, ``NotPublishable`` when something a public page needs is missing.
    """
    from toxinclinic.education.tasks import narrate_version, prepare_answers

    with transaction.atomic():
        locked = (
            TreatmentPage.objects.select_for_update().select_related("clinic", "provider").get(pk=page.pk)
        )
        if expected_version is None or locked.version != expected_version:
            raise Conflict(locked.version)
        now = timezone.now()
        if locked.date_published is None:
            # The first publication is the publish date, unless the editor (or an import) set one.
            locked.date_published = now
            TreatmentPage.objects.filter(pk=locked.pk).update(date_published=locked.date_published)
        content = draft_content(locked)
        problems = check_publishable(content)
        if problems:
            raise NotPublishable(" ".join(problems))
        previous = locked.versions.order_by("-number").first()
        before = page_text(previous.content) if previous else ""
        after = page_text(content)
        if previous is not None and before == after:
            raise NothingToPublish(f"Nothing changed since version {previous.number}; it is already live.")
        number = (previous.number if previous else 0) + 1
        if not label:
            label = (actor.get_full_name() or actor.username) if actor is not None else "system"
        version = PageVersion(
            page=locked,
            clinic_id=locked.clinic_id,
            number=number,
            published_by=actor,
            published_by_label=label,
            published_at=now,
            content=content,
            diff=unified_diff(
                before, after, f"version {number - 1}" if previous else "(new page)", f"version {number}"
            ),
        )
        version.save()
        TreatmentPage.objects.filter(pk=locked.pk).update(published_version=version)
        log_action(
            "education.page_published",
            actor=actor,
            obj=locked,
            clinic_id=locked.clinic_id,
            data={
                "version": number,
                "version_id": str(version.public_id),
                "slug": locked.slug,
                "lines_changed": sum(
                    1
                    for line in version.diff.splitlines()
                    if line[:1] in "+-" and not line.startswith(("+++", "---"))
                ),
            },
        )
        # After commit, so the worker always finds the version row.
        transaction.on_commit(lambda: narrate_version.enqueue(version.pk))
        transaction.on_commit(lambda: prepare_answers.enqueue(version.pk))
    page.published_version = version
    return version


def get_page_for_editor(user: Any, public_id: str) -> TreatmentPage:
    page = (
        TreatmentPage.objects.filter(public_id=parse_public_id(public_id))
        .select_related("clinic", "provider", "published_version")
        .first()
    )
    if page is None or not can_edit_education_object(user, page):
        raise Http404("No such page.")
    return page


def get_provider_for_editor(user: Any, public_id: str) -> Provider:
    provider = Provider.objects.filter(public_id=parse_public_id(public_id)).first()
    if provider is None or not can_edit_education_object(user, provider):
        raise Http404("No such provider.")
    return provider


def published(slug: str) -> tuple[TreatmentPage, PageVersion]:
    """The live page and its version for an anonymous visitor; 404 when unknown or never published."""
    # The content snapshot (tens of KB of JSON) is loaded only when the page is rendered or searched,
    # not when its cached fragments are served.
    page = (
        TreatmentPage.objects.filter(slug=slug, published_version__isnull=False)
        .select_related("published_version")
        .defer("published_version__content", "published_version__diff")
        .first()
    )
    if page is None or page.published_version is None:
        raise Http404("No such page.")
    return page, page.published_version


def attach_recording(page: TreatmentPage, data: bytes, *, actor: Any) -> PageVersion:
    """Replace the live version's narration with an uploaded recording (checked, encoded to Opus + MP3).

    ``narration.BadRecording`` (with the reason in words) when the file cannot be used; then nothing
    changes. ``NotPublishable`` when the page has no live version to attach it to.
    """
    import secrets

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from toxinclinic.education import narration
    from toxinclinic.education.models import AudioSource, AudioStatus

    version = page.published_version
    if version is None:
        raise NotPublishable("Publish the page first; the recording replaces the live version's audio.")
    content = version.content
    result = narration.from_recording(data, title=content["title"], artist=content["provider"]["practice"])
    stem = f"education/audio/{page.public_id}-v{version.number}-rec-{secrets.token_hex(4)}"
    name = default_storage.save(f"{stem}.opus", ContentFile(result.audio))
    mp3_name = default_storage.save(f"{stem}.mp3", ContentFile(result.mp3))
    with transaction.atomic():
        PageVersion.objects.filter(pk=version.pk).update(
            audio=name,
            audio_mp3=mp3_name,
            audio_status=AudioStatus.READY,
            audio_source=AudioSource.RECORDED,
            audio_duration_seconds=round(result.duration_seconds, 2),
            audio_bytes=len(result.audio),
            audio_mp3_bytes=len(result.mp3),
            audio_error="",
        )
        log_action(
            "education.recording_uploaded",
            actor=actor,
            obj=page,
            clinic_id=page.clinic_id,
            data={"version": version.number, "seconds": round(result.duration_seconds, 1)},
        )
    version.refresh_from_db()
    return version
