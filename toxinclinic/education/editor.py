"""The clinic admin's editor: providers (with headshot upload), pages (sections, FAQ), preview, publish,
version history, and the live reading grade."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from toxinclinic.audit.services import record_change, snapshot
from toxinclinic.core.errors import Conflict
from toxinclinic.education import content as default_content
from toxinclinic.education import importer, narration, readability, services
from toxinclinic.education.forms import (
    FAQsFormSet,
    ImportForm,
    NewPageForm,
    PageForm,
    ProviderForm,
    RecordingForm,
    SectionsFormSet,
)
from toxinclinic.education.models import Provider, TreatmentPage
from toxinclinic.education.permissions import can_edit_education
from toxinclinic.education.views import duration_label, render_fragments, render_page


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


@login_required
@require_http_methods(["GET", "POST"])
def page_import(request: HttpRequest) -> HttpResponse:
    """Upload or paste the clinic's existing page; refused files name the line and change nothing."""
    _require_editor(request)
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            if upload is not None:
                if upload.size > importer.MAX_IMPORT_BYTES:
                    raise importer.ImportProblem(
                        None,
                        f"the file is {upload.size / 1024 / 1024:.1f} MB; a page export is at most "
                        f"{importer.MAX_IMPORT_BYTES // 1024 // 1024} MB of plain text.",
                    )
                text = importer.decode(upload.read())
            else:
                text = form.cleaned_data["text"]
            parsed = importer.parse(text)
            result = importer.store(
                parsed, request.user.clinic, actor=request.user, draft=form.cleaned_data["draft"]
            )
        except importer.ImportProblem as exc:
            problem = (f"Line {exc.line}: " if exc.line else "") + exc.message[:1].upper() + exc.message[1:]
        else:
            for line in result.lines():
                messages.success(request, line)
            return redirect("education:page_edit", page_id=result.page.public_id)
    return render(
        request,
        "education/page_import.html",
        {"form": form, "problem": problem},
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
            "recording_form": RecordingForm(),
        },
        status=status,
    )


@login_required
@require_POST
def page_recording(request: HttpRequest, page_id: str) -> HttpResponse:
    """Upload a real voice's recording for the live version; a bad file is refused with the reason."""
    _require_editor(request)
    page_obj = services.get_page_for_editor(request.user, page_id)
    form = RecordingForm(request.POST, request.FILES)
    back = reverse("education:page_edit", args=[page_obj.public_id])
    problem = ""
    if not form.is_valid():
        problem = " ".join(e for errors in form.errors.values() for e in errors)
    else:
        upload = form.cleaned_data["recording"]
        try:
            if upload.size > narration.MAX_RECORDING_BYTES:
                raise narration.BadRecording(
                    f"The file is {upload.size / 1024 / 1024:.1f} MB; a recording may be at most "
                    f"{narration.MAX_RECORDING_BYTES // 1024 // 1024} MB."
                )
            version = services.attach_recording(page_obj, upload.read(), actor=request.user)
        except (narration.BadRecording, services.NotPublishable, narration.NarrationError) as exc:
            problem = str(exc)
        else:
            messages.success(
                request,
                f"The recording ({duration_label(version.audio_duration_seconds)}) now plays on "
                f"version {version.number}, as Ogg Opus and MP3.",
            )
            return redirect(back)
    return render(
        request,
        "education/bad_request.html",
        {"message": f"The recording was not used, and the audio did not change. {problem}", "back": back},
        status=400,
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
    return render_page(request, fragments, {"query": "", "asked": False}, preview=page_obj, page_obj=page_obj)


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
            "duration": duration_label(v.audio_duration_seconds),
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
