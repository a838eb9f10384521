"""Public treatment pages (no login): index, page, its files; rendering shared with the editor's preview."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_GET

from toxinclinic.clinical import billing
from toxinclinic.education import markup, search, services
from toxinclinic.education.models import AudioSource, AudioStatus, Condition, TreatmentPage
from toxinclinic.education.permissions import can_edit_education

PAGE_CACHE_SECONDS = 24 * 3600
# Bump when the public templates change, so cached fragments from the old templates are not served.
TEMPLATE_REVISION = 2
NONCE_MARKER = "__education_csp_nonce__"
FILE_NAME = re.compile(r"^education/(audio|headshots)/[A-Za-z0-9_-]+\.(opus|mp3|jpg)$")
CONTENT_TYPES = {"opus": "audio/ogg", "mp3": "audio/mpeg", "jpg": "image/jpeg"}


# --- public ------------------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    """Every clinic's published treatment pages (also what `/` shows an anonymous visitor)."""
    pages = (
        TreatmentPage.objects.filter(published_version__isnull=False)
        .select_related("clinic", "published_version")
        .order_by("clinic__name", "title")
    )
    items = [
        {
            "url": reverse("education:page", args=[p.slug]),
            "title": p.published_version.content["title"],
            "summary": p.published_version.content["summary"],
            "provider": p.published_version.content["provider"]["display_name"],
            "clinic": p.clinic.name,
            "published_at": p.published_version.published_at,
        }
        for p in pages
    ]
    return render(request, "education/index.html", {"items": items})


def page(request: HttpRequest, slug: str) -> HttpResponse:
    """The public page; ``?q=`` answers a question without JavaScript."""
    treatment, version = services.published(slug)
    fragments = cached_fragments(version)
    query = request.GET.get("q")
    ask = _ask_context(version, query)
    status = 400 if ask.get("error") else 200
    return render_page(
        request,
        fragments,
        ask,
        status=status,
        can_edit=can_edit_education(request.user) and request.user.clinic_id == treatment.clinic_id,
        page_obj=treatment,
    )


def _ask_context(version: Any, query: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"query": (query or "").strip(), "asked": query is not None}
    if query is None:
        return out
    q = out["query"]
    if not q:
        out["error"] = "Type a question first, for example “Does it hurt?”."
        return out
    if len(q) > search.MAX_QUERY_CHARS:
        out["error"] = (
            f"Your question is {len(q)} characters long; please keep it to {search.MAX_QUERY_CHARS} or fewer."
        )
        out["query"] = q[: search.MAX_QUERY_CHARS]
        return out
    out["answer"] = search.answer(search.index_for_version(version), q)
    out["clinic_phone"] = version.content["clinic"]["phone"]
    return out


def render_page(
    request: HttpRequest,
    fragments: dict[str, str],
    ask: dict[str, Any],
    *,
    status: int = 200,
    preview: Any = None,
    can_edit: bool = False,
    page_obj: Any = None,
) -> HttpResponse:
    nonce = str(getattr(request, "csp_nonce", ""))
    ctx = {
        "head": fragments["head"].replace(NONCE_MARKER, nonce),
        "top": fragments["top"],
        "rest": fragments["rest"],
        "title": fragments["title"],
        "ask": ask,
        "ask_url": fragments["ask_url"],
        "api_url": fragments["api_url"],
        "preview": preview,
        "edit_url": reverse("education:page_edit", args=[page_obj.public_id])
        if can_edit and page_obj
        else "",
    }
    return render(request, "education/page.html", ctx, status=status)


def cached_fragments(version: Any) -> dict[str, str]:
    """The page's rendered parts for one version; the key holds the version id, so a publish never
    serves stale text, and the audio state, so the player appears as soon as the narration is ready."""
    # The audio's name too: an uploaded recording replaces the audio of the same version.
    key = (
        f"education:page:{TEMPLATE_REVISION}:{version.public_id}:{version.audio_status}:{version.audio.name}"
    )
    fragments = cache.get(key)
    if fragments is None:
        fragments = render_fragments(version.content, version=version)
        cache.set(key, fragments, PAGE_CACHE_SECONDS)
    return fragments


def duration_label(seconds: float | None) -> str:
    if not seconds:
        return ""
    total = int(seconds)  # players truncate, so the page's figure matches what the player shows
    m, s = divmod(total, 60)
    return f"{m} min {s} s" if m else f"{s} s"


def _size_label(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def _iso_duration(seconds: float) -> str:
    total = round(seconds)
    m, s = divmod(total, 60)
    return f"PT{m}M{s}S"


def _abs(path: str) -> str:
    return settings.SITE_URL + path


def render_fragments(content: dict[str, Any], *, version: Any = None) -> dict[str, str]:
    """Render head, top and body of a page from a content snapshot (a version's, or the draft's)."""
    slug = content["slug"]
    page_url = reverse("education:page", args=[slug])
    p = content["provider"]
    headshot_url = reverse("education:file", args=[p["headshot"]]) if p["headshot"] else ""
    sections = [{**s, "html": markup.to_html(s["body"])} for s in content["sections"]]
    faqs = [{**f, "html": markup.to_html(f["answer"])} for f in content["faqs"]]
    audio: dict[str, Any] = {"status": "preview"}
    published_at = None
    first_published = _first_published(content)
    if version is not None:
        published_at = timezone.localtime(version.published_at)
        audio = {"status": version.audio_status}
        if version.audio_status == AudioStatus.READY and version.audio:
            audio.update(
                url=reverse("education:file", args=[version.audio.name]),
                duration=duration_label(version.audio_duration_seconds),
                iso_duration=_iso_duration(version.audio_duration_seconds or 0),
                seconds=version.audio_duration_seconds,
                size=_size_label(version.audio_bytes or 0),
                recorded=version.audio_source == AudioSource.RECORDED,
                transcript_url=reverse("education:transcript", args=[slug]),
            )
            if version.audio_mp3:
                audio.update(
                    mp3_url=reverse("education:file", args=[version.audio_mp3.name]),
                    mp3_size=_size_label(version.audio_mp3_bytes or 0),
                )
    ctx = {
        "c": content,
        "p": p,
        "headshot_url": headshot_url,
        "sections": sections,
        "faqs": faqs,
        "published_at": published_at,
        "first_published": first_published,
        # "Updated" only when it says something the publish date does not.
        "show_updated": published_at is not None
        and (first_published is None or published_at.date() != first_published.date()),
        "audio": audio,
        "page_url": page_url,
        "canonical": _abs(page_url),
        "og_image": _abs(headshot_url) if headshot_url else "",
        "nonce": NONCE_MARKER,
        "jsonld": _jsonld(content, page_url, headshot_url, published_at, audio, first_published),
        "emergency_number": content["clinic"]["emergency_number"],
    }
    return {
        "head": render_to_string("education/_page_head.html", ctx),
        "top": render_to_string("education/_page_top.html", ctx),
        "rest": render_to_string("education/_page_rest.html", ctx),
        "title": content["title"],
        "ask_url": page_url,
        "api_url": reverse("api-v1:answer_question", args=[slug]),
    }


def _first_published(content: dict[str, Any]) -> Any:
    """The page's publish date (set by the editor or an import; else its first publication), local time."""
    raw = content.get("date_published") or ""
    if not raw:
        return None
    return timezone.localtime(datetime.fromisoformat(raw))


def _condition_codes() -> dict[str, str]:
    """ICD-10 code of each condition, from the clinical engine's billing table (G43.7 family, G24.3)."""
    out = {}
    for key, codes in billing.DIAGNOSIS_CODES.items():
        # G43.701 … G43.719 share "G43.7": the family is the common prefix of the codes.
        out[key] = os.path.commonprefix(list(codes)).rstrip(".") if len(codes) > 1 else next(iter(codes))  # noqa: RUF071
    return out


def _jsonld(
    content: dict[str, Any],
    page_url: str,
    headshot_url: str,
    published_at: Any,
    audio: dict[str, Any],
    first_published: Any = None,
) -> str:
    url = _abs(page_url)
    codes = _condition_codes()
    labels = dict(Condition.choices)
    therapy = {"@type": "MedicalTherapy", "name": content["therapy"]}
    p = content["provider"]
    physician: dict[str, Any] = {
        "@type": "Physician",
        "@id": url + "#provider",
        "name": p["display_name"],
        "parentOrganization": {"@type": "MedicalClinic", "name": p["practice"]},
    }
    if p["role"]:
        physician["description"] = p["role"]
    if p["location"]:
        physician["address"] = {"@type": "PostalAddress", "streetAddress": p["location"]}
    if headshot_url:
        physician["image"] = _abs(headshot_url)
    if content["clinic"].get("phone"):
        physician["telephone"] = content["clinic"]["phone"]
    webpage: dict[str, Any] = {
        "@type": "MedicalWebPage",
        "@id": url + "#page",
        "url": url,
        "name": content["title"],
        "description": content["summary"],
        "inLanguage": "en",
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "about": [
            {
                "@type": "MedicalCondition",
                "name": labels.get(key, key),
                "code": {"@type": "MedicalCode", "code": codes.get(key, ""), "codingSystem": "ICD-10"},
                "possibleTreatment": therapy,
            }
            for key in content["conditions"]
        ],
        "mentions": therapy,
        "author": {"@id": url + "#provider"},
    }
    if first_published is not None:
        webpage["datePublished"] = first_published.isoformat()
    if published_at is not None:
        webpage["dateModified"] = published_at.isoformat()
        webpage["lastReviewed"] = published_at.date().isoformat()
    if audio.get("url"):
        formats = [(audio["url"], "audio/ogg")]
        if audio.get("mp3_url"):
            formats.append((audio["mp3_url"], "audio/mpeg"))
        objects = [
            {
                "@type": "AudioObject",
                "contentUrl": _abs(u),
                "encodingFormat": fmt,
                "duration": audio["iso_duration"],
                "transcript": "The text of this page.",
            }
            for u, fmt in formats
        ]
        webpage["audio"] = objects[0] if len(objects) == 1 else objects
    graph: list[dict[str, Any]] = [webpage]
    if content["faqs"]:
        graph.append(
            {
                "@type": "FAQPage",
                "@id": url + "#faq",
                "url": url,
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": f["question"],
                        "acceptedAnswer": {"@type": "Answer", "text": markup.sentences(f["answer"])},
                    }
                    for f in content["faqs"]
                ],
            }
        )
    graph.append(physician)
    raw = json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False, indent=None)
    # As django.utils.html.json_script: no "</script>" or "<!--" can end the block early.
    return raw.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")


def transcript(request: HttpRequest, slug: str) -> HttpResponse:
    """What the page's audio reads, as text (linked beside the player)."""
    _page, version = services.published(slug)
    content = version.content
    when = date_format(timezone.localtime(version.published_at), "j F Y")
    paragraphs = services.narration_text(content, when).split("\n\n")
    return render(
        request,
        "education/transcript.html",
        {
            "title": content["title"],
            "paragraphs": paragraphs,
            "page_url": reverse("education:page", args=[slug]),
            "recorded": version.audio_source == AudioSource.RECORDED,
        },
    )


@require_GET
def media_file(request: HttpRequest, name: str) -> HttpResponse:
    """Headshots and narration audio, with byte ranges (players seek; Chromium reads an Ogg's end for its
    duration). Names carry a random part and never change, so they are cached for a year."""
    if not FILE_NAME.match(name):
        raise Http404("No such file.")
    try:
        path = default_storage.path(name)
    except NotImplementedError:  # object storage: let it serve the file
        return redirect(default_storage.url(name))
    # The name pattern already refuses "..", but the resolved path decides (symlinks, odd storages):
    # only files inside the public folder are ever served from here.
    public = os.path.realpath(default_storage.path("education"))
    if os.path.commonpath([public, os.path.realpath(path)]) != public or not os.path.isfile(path):
        raise Http404("No such file.")
    size = os.path.getsize(path)
    content_type = CONTENT_TYPES[name.rsplit(".", 1)[1]]
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "Accept-Ranges": "bytes"}
    rng = _parse_range(request.headers.get("Range", ""), size)
    if rng == "invalid":
        resp = HttpResponse(status=416)
        resp["Content-Range"] = f"bytes */{size}"
        return resp
    if rng is None:
        resp = FileResponse(open(path, "rb"), content_type=content_type)
        resp["Content-Length"] = str(size)
    else:
        start, end = rng
        with open(path, "rb") as fh:
            fh.seek(start)
            data = fh.read(end - start + 1)
        resp = HttpResponse(data, status=206, content_type=content_type)
        resp["Content-Range"] = f"bytes {start}-{end}/{size}"
        resp["Content-Length"] = str(len(data))
    for k, v in headers.items():
        resp[k] = v
    return resp


def _parse_range(header: str, size: int) -> tuple[int, int] | str | None:
    """One ``bytes=a-b`` range → (start, end) inclusive; None for no/unsupported header; "invalid"."""
    m = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if not m or (not m.group(1) and not m.group(2)):
        return None
    if m.group(1):
        start = int(m.group(1))
        end = int(m.group(2)) if m.group(2) else size - 1
    else:  # suffix range: the last N bytes
        start, end = max(0, size - int(m.group(2))), size - 1
    end = min(end, size - 1)
    if start > end or start >= size:
        return "invalid"
    return start, end
