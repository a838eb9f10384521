"""Public treatment pages (no login) and the clinic admin's editor."""

from __future__ import annotations

import json
import os
import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from toxinclinic.audit.services import record_change, snapshot
from toxinclinic.clinical import billing
from toxinclinic.education import content as default_content
from toxinclinic.education import markup, readability, search, services
from toxinclinic.education.forms import (
    FAQsFormSet,
    NewPageForm,
    PageForm,
    ProviderForm,
    SectionsFormSet,
)
from toxinclinic.education.models import AudioStatus, Condition, Provider, TreatmentPage
from toxinclinic.education.permissions import can_edit_education
from toxinclinic.patients.services import Conflict

PAGE_CACHE_SECONDS = 24 * 3600
# Bump when the public templates change, so cached fragments from the old templates are not served.
TEMPLATE_REVISION = 1
NONCE_MARKER = "__education_csp_nonce__"
FILE_NAME = re.compile(r"^education/(audio|headshots)/[A-Za-z0-9_-]+\.(opus|jpg)$")
CONTENT_TYPES = {"opus": "audio/ogg", "jpg": "image/jpeg"}


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
    return _render_page(
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


def _render_page(
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
    key = f"education:page:{TEMPLATE_REVISION}:{version.public_id}:{version.audio_status}"
    fragments = cache.get(key)
    if fragments is None:
        fragments = render_fragments(version.content, version=version)
        cache.set(key, fragments, PAGE_CACHE_SECONDS)
    return fragments


def _duration_label(seconds: float | None) -> str:
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
    if version is not None:
        published_at = timezone.localtime(version.published_at)
        audio = {"status": version.audio_status}
        if version.audio_status == AudioStatus.READY and version.audio:
            audio.update(
                url=reverse("education:file", args=[version.audio.name]),
                duration=_duration_label(version.audio_duration_seconds),
                iso_duration=_iso_duration(version.audio_duration_seconds or 0),
                seconds=version.audio_duration_seconds,
                size=_size_label(version.audio_bytes or 0),
            )
    ctx = {
        "c": content,
        "p": p,
        "headshot_url": headshot_url,
        "sections": sections,
        "faqs": faqs,
        "published_at": published_at,
        "audio": audio,
        "page_url": page_url,
        "canonical": _abs(page_url),
        "og_image": _abs(headshot_url) if headshot_url else "",
        "nonce": NONCE_MARKER,
        "jsonld": _jsonld(content, page_url, headshot_url, published_at, audio),
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


def _condition_codes() -> dict[str, str]:
    """ICD-10 code of each condition, from the clinical engine's billing table (G43.7 family, G24.3)."""
    out = {}
    for key, codes in billing.DIAGNOSIS_CODES.items():
        # G43.701 … G43.719 share "G43.7": the family is the common prefix of the codes.
        out[key] = os.path.commonprefix(list(codes)).rstrip(".") if len(codes) > 1 else next(iter(codes))  # noqa: RUF071
    return out


def _jsonld(
    content: dict[str, Any], page_url: str, headshot_url: str, published_at: Any, audio: dict[str, Any]
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
    if published_at is not None:
        webpage["dateModified"] = published_at.isoformat()
        webpage["lastReviewed"] = published_at.date().isoformat()
    if audio.get("url"):
        webpage["audio"] = {
            "@type": "AudioObject",
            "contentUrl": _abs(audio["url"]),
            "encodingFormat": "audio/ogg",
            "duration": audio["iso_duration"],
            "transcript": "The text of this page.",
        }
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
    if not os.path.isfile(path):
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


# --- editor ------------------------------------------------------------------------------------------


def _require_editor(request: HttpRequest) -> None:
    if not can_edit_education(request.user):
        raise PermissionDenied


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    clinic_id = request.user.clinic_id
    pages = list(
        TreatmentPage.objects.filter(clinic_id=clinic_id).select_related("provider", "published_version")
    )
    rows = []
    for p in pages:
        live = p.published_version
        unpublished = live is None or services.page_text(live.content) != services.page_text(
            services.draft_content(p)
        )
        rows.append({"page": p, "live": live, "unpublished": unpublished})
    return render(
        request,
        "education/manage.html",
        {"rows": rows, "providers": Provider.objects.filter(clinic_id=clinic_id)},
    )


def _save_provider(form: ProviderForm, provider: Provider, actor: Any, clinic_id: int) -> Provider:
    with transaction.atomic():
        before = None
        if provider.pk:
            locked = Provider.objects.select_for_update().get(pk=provider.pk)
            if form.cleaned_data.get("version") != locked.version:
                raise Conflict(locked.version)
            before = snapshot(locked)
        obj = form.save(commit=False)
        obj.clinic_id = clinic_id
        if form.processed_headshot is not None:
            file, width, height = form.processed_headshot
            obj.headshot.save(file.name, file, save=False)
            obj.headshot_width, obj.headshot_height = width, height
        if before is not None:
            obj.version = before["version"] + 1
        obj.save()
        record_change(
            "education.provider_updated" if before else "education.provider_created", obj, before, actor=actor
        )
    return obj


@login_required
@require_http_methods(["GET", "POST"])
def provider_create(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = ProviderForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        provider = _save_provider(form, Provider(), request.user, request.user.clinic_id)
        messages.success(request, f"Added {provider.display_name}.")
        return redirect("education:manage")
    return render(
        request,
        "education/provider_form.html",
        {"form": form, "title": "Add a provider"},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, provider_id: str) -> HttpResponse:
    _require_editor(request)
    provider = services.get_provider_for_editor(request.user, provider_id)
    form = ProviderForm(request.POST or None, request.FILES or None, instance=provider)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                provider = _save_provider(form, provider, request.user, request.user.clinic_id)
            except Conflict as exc:
                messages.error(request, str(exc))
                return redirect("education:provider_edit", provider_id=provider.public_id)
            n = provider.pages.filter(published_version__isnull=False).count()
            extra = f" Publish its {n} page(s) again to show the change to the public." if n else ""
            messages.success(request, f"Saved {provider.display_name}.{extra}")
            return redirect("education:manage")
        status = 400
    return render(
        request,
        "education/provider_form.html",
        {"form": form, "title": f"Edit {provider.display_name}", "provider": provider},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def page_create(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    clinic = request.user.clinic
    initial: dict[str, Any] = {}
    if request.method == "GET":
        d = default_content.default_page(clinic_phone=clinic.phone, emergency_number=clinic.emergency_number)
        taken = TreatmentPage.objects.filter(slug=d["slug"]).exists()
        initial = {
            "title": d["title"],
            "slug": "" if taken else d["slug"],
            "summary": d["summary"],
            "therapy": d["therapy"],
            "conditions": d["conditions"],
        }
    form = NewPageForm(request.POST or None, initial=initial, clinic_id=clinic.pk)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            page_obj = form.save(commit=False)
            page_obj.clinic = clinic
            page_obj.save()
            if form.cleaned_data["start_from_default"]:
                d = default_content.default_page(
                    clinic_phone=clinic.phone, emergency_number=clinic.emergency_number
                )
                services.fill_from_content(page_obj, d)
            record_change("education.page_created", page_obj, None, actor=request.user)
        messages.success(request, "Page created as a draft. Edit it, preview it, then publish.")
        return redirect("education:page_edit", page_id=page_obj.public_id)
    return render(
        request,
        "education/page_new.html",
        {"form": form, "no_providers": not Provider.objects.filter(clinic=clinic).exists()},
        status=400 if form.is_bound else 200,
    )


def _editor_forms(request: HttpRequest, page_obj: TreatmentPage) -> tuple[PageForm, Any, Any]:
    data = request.POST if request.method == "POST" else None
    form = PageForm(data, instance=page_obj, clinic_id=page_obj.clinic_id)
    sections = SectionsFormSet(data, instance=page_obj, prefix="sections")
    faqs = FAQsFormSet(data, instance=page_obj, prefix="faqs")
    return form, sections, faqs


def _save_draft(
    page_obj: TreatmentPage, form: PageForm, sections: Any, faqs: Any, actor: Any
) -> TreatmentPage:
    with transaction.atomic():
        locked = TreatmentPage.objects.select_for_update().get(pk=page_obj.pk)
        if form.cleaned_data.get("version") != locked.version:
            raise Conflict(locked.version)
        before_text = services.page_text(services.draft_content(locked))
        before = snapshot(locked)
        obj = form.save(commit=False)
        obj.version = locked.version + 1
        obj.save()
        for formset in (sections, faqs):
            for f in formset.deleted_forms:
                if f.instance.pk:
                    f.instance.delete()
            for position, f in enumerate(formset.live_forms()):
                item = f.save(commit=False)
                item.page = obj
                item.position = position
                item.save()
        after_text = services.page_text(services.draft_content(obj))
        record_change(
            "education.page_updated",
            obj,
            before,
            actor=actor,
            data={
                "draft_diff": services.unified_diff(before_text, after_text, "draft before", "draft after")
            },
        )
    return obj


@login_required
@require_http_methods(["GET", "POST"])
def page_edit(request: HttpRequest, page_id: str) -> HttpResponse:
    _require_editor(request)
    page_obj = services.get_page_for_editor(request.user, page_id)
    form, sections, faqs = _editor_forms(request, page_obj)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if form.is_valid() and sections.is_valid() and faqs.is_valid():
            try:
                page_obj = _save_draft(page_obj, form, sections, faqs, request.user)
            except Conflict as exc:
                messages.error(request, str(exc) + " Your changes were not saved.")
                status = 409
            else:
                if action == "preview":
                    return redirect("education:page_preview", page_id=page_obj.public_id)
                if action == "publish":
                    return _publish(request, page_obj, page_obj.version)
                messages.success(request, "Draft saved. The public page changes when you publish.")
                return redirect("education:page_edit", page_id=page_obj.public_id)
        else:
            status = 400
    content = _content_from_post(request.POST, page_obj) if request.method == "POST" else None
    report = readability.page_report(content or services.draft_content(page_obj))
    return render(
        request,
        "education/page_edit.html",
        {
            "page": page_obj,
            "form": form,
            "sections": sections,
            "faqs": faqs,
            "section_rows": [{"form": f, "score": _form_score(f, "heading", "body")} for f in sections.forms],
            "faq_rows": [{"form": f, "score": _form_score(f, "question", "answer")} for f in faqs.forms],
            "report": report,
            "live": page_obj.published_version,
            "versions": page_obj.versions.all()[:5],
        },
        status=status,
    )


def _form_score(form: Any, title_field: str, body_field: str) -> readability.Score | None:
    body = form[body_field].value() or ""
    if not body.strip():
        return None
    return readability.score(form[title_field].value() or "", body)


def _content_from_post(post: Any, page_obj: TreatmentPage) -> dict[str, Any]:
    """The editor's unsaved text as a snapshot-shaped dict (for the readability report only).

    Each row keeps its form prefix (``sections-0``) so the editor can put a grade beside its field."""

    def rows(prefix: str, a: str, b: str) -> list[dict[str, str]]:
        try:
            n = min(int(post.get(f"{prefix}-TOTAL_FORMS", 0)), 200)
        except ValueError:
            n = 0
        out = []
        for i in range(n):
            if post.get(f"{prefix}-{i}-DELETE"):
                continue
            first, second = post.get(f"{prefix}-{i}-{a}", ""), post.get(f"{prefix}-{i}-{b}", "")
            if second.strip():
                out.append({a: first, b: second, "prefix": f"{prefix}-{i}"})
        return out

    return {
        "title": post.get("title", page_obj.title),
        "sections": rows("sections", "heading", "body"),
        "faqs": rows("faqs", "question", "answer"),
    }


@login_required
@require_POST
def readability_check(request: HttpRequest, page_id: str) -> JsonResponse:
    """Grades for the editor's unsaved text (the editor's script posts the whole form while typing)."""
    _require_editor(request)
    page_obj = services.get_page_for_editor(request.user, page_id)
    content = _content_from_post(request.POST, page_obj)
    report = readability.page_report(content)

    def js(sc: readability.Score | None) -> dict[str, Any] | None:
        if sc is None:
            return None
        return {"grade": sc.grade, "words": sc.words, "too_hard": sc.too_hard}

    parts = {
        row["prefix"]: js(readability.score(row[a], row[b]))
        for kind, a, b in (("sections", "heading", "body"), ("faqs", "question", "answer"))
        for row in content[kind]
    }
    return JsonResponse({"max_grade": report["max_grade"], "page": js(report["page"]), "parts": parts})


@login_required
def page_preview(request: HttpRequest, page_id: str) -> HttpResponse:
    _require_editor(request)
    page_obj = services.get_page_for_editor(request.user, page_id)
    content = services.draft_content(page_obj)
    fragments = render_fragments(content)
    return _render_page(
        request, fragments, {"query": "", "asked": False}, preview=page_obj, page_obj=page_obj
    )


def _publish(request: HttpRequest, page_obj: TreatmentPage, expected_version: int | None) -> HttpResponse:
    try:
        version = services.publish(page_obj, actor=request.user, expected_version=expected_version)
    except Conflict as exc:
        messages.error(request, str(exc) + " Nothing was published.")
        return redirect("education:page_edit", page_id=page_obj.public_id)
    except (services.NothingToPublish, services.NotPublishable) as exc:
        messages.error(request, str(exc))
        return redirect("education:page_edit", page_id=page_obj.public_id)
    messages.success(
        request,
        f"Published version {version.number}. "
        "The audio is being prepared; the page says so until it is ready.",
    )
    return redirect("education:page_versions", page_id=page_obj.public_id)


@login_required
@require_POST
def page_publish(request: HttpRequest, page_id: str) -> HttpResponse:
    _require_editor(request)
    page_obj = services.get_page_for_editor(request.user, page_id)
    raw = request.POST.get("version", "")
    if not raw.isdigit():
        return render(
            request,
            "education/bad_request.html",
            {
                "message": "The publish form lacks the draft's version number; reload the editor.",
                "back": reverse("education:page_edit", args=[page_obj.public_id]),
            },
            status=400,
        )
    return _publish(request, page_obj, int(raw))


@login_required
def page_versions(request: HttpRequest, page_id: str) -> HttpResponse:
    _require_editor(request)
    page_obj = services.get_page_for_editor(request.user, page_id)
    rows = [
        {
            "version": v,
            "duration": _duration_label(v.audio_duration_seconds),
            "diff_lines": _diff_lines(v.diff),
        }
        for v in page_obj.versions.all()
    ]
    return render(request, "education/versions.html", {"page": page_obj, "rows": rows})


def _diff_lines(diff: str) -> list[dict[str, str]]:
    out = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            cls = "meta"
        elif line.startswith("+"):
            cls = "add"
        elif line.startswith("-"):
            cls = "del"
        elif line.startswith("@@"):
            cls = "meta"
        else:
            cls = ""
        out.append({"cls": cls, "text": line})
    return out
