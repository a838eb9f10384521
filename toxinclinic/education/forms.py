"""Editor forms: provider (with headshot upload), page, its sections and FAQ items."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from toxinclinic.education import images
from toxinclinic.education.models import Condition, FAQItem, PageSection, Provider, TreatmentPage

MAX_BODY_CHARS = 20_000
# Anchors the page itself uses; a section may not take them.
RESERVED_ANCHORS = {"main", "ask", "listen", "faq", "contents", "provider", "answer"}


class ProviderForm(forms.ModelForm):
    headshot_upload = forms.FileField(
        label="Headshot",
        required=False,
        help_text=(
            f"JPEG, PNG or WebP, up to {images.MAX_UPLOAD_BYTES // 1024 // 1024} MB. It is cropped to a "
            f"square ({images.SIZE}×{images.SIZE} px) and saved without its metadata."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Provider
        fields = [
            "name",
            "credentials",
            "role",
            "practice",
            "location",
            "booking_url",
            "booking_label",
            "headshot_alt",
        ]

    field_order = [*Meta.fields[:7], "headshot_upload", "headshot_alt", "version"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.processed_headshot: tuple[Any, int, int] | None = None

    def clean_headshot_upload(self) -> Any:
        upload = self.cleaned_data.get("headshot_upload")
        if upload:
            self.processed_headshot = images.process_headshot(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_picture = self.processed_headshot is not None or bool(self.instance.headshot)
        if has_picture and not (data.get("headshot_alt") or "").strip():
            self.add_error(
                "headshot_alt",
                "Describe the headshot in a few words (who it shows); people using a screen reader hear it.",
            )
        return data


class PageForm(forms.ModelForm):
    date_published = forms.DateField(
        label="Publish date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Shown to patients as “Published” (and to search engines as datePublished). Left "
        "empty, it is the day you first publish. Each later publication shows as “Updated”.",
    )
    conditions = forms.MultipleChoiceField(
        choices=Condition.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="What the page is about (used by search engines).",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = TreatmentPage
        fields = ["title", "slug", "summary", "therapy", "conditions", "provider", "date_published"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.filter(clinic_id=clinic_id)
        self.fields["provider"].help_text = "The clinician the page introduces."
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            if self.instance.date_published:
                self.initial["date_published"] = timezone.localtime(self.instance.date_published).date()
        if self.instance.slug:
            address = settings.SITE_URL + reverse("education:page", args=[self.instance.slug])
            self.fields["slug"].help_text = (
                f"The page's address is {address}. Lower-case letters, digits and hyphens; changing it "
                "breaks links people saved."
            )
        else:
            example = settings.SITE_URL + reverse("education:page", args=["botox"])
            self.fields["slug"].help_text = (
                f"The last part of the page's address, e.g. “botox” for {example}. "
                "Lower-case letters, digits and hyphens."
            )

    def clean_date_published(self) -> Any:
        day = self.cleaned_data.get("date_published")
        if day is None:
            return self.instance.date_published if self.instance.pk and self.instance.date_published else None
        # Noon in the clinic's time zone: the date reads the same in every neighbouring zone.
        return timezone.make_aware(datetime.combine(day, time(12, 0)))

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug == "manage" or slug == "files":
            raise ValidationError(f"“{slug}” is used by the site itself; choose another address.")
        return slug


class NewPageForm(PageForm):
    start_from_default = forms.BooleanField(
        required=False,
        initial=True,
        label="Start from the default Botox text (chronic migraine and cervical dystonia)",
        help_text="Sections and FAQ written in plain language; edit anything before you publish.",
    )


class SectionForm(forms.ModelForm):
    anchor = forms.SlugField(
        required=False,
        max_length=60,
        help_text="Link name (#…); left empty, it is made from the heading.",
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_BODY_CHARS,
        help_text="Markdown: a blank line between paragraphs, “- ” starts a list item, **bold**.",
    )

    class Meta:
        model = PageSection
        fields = ["heading", "anchor", "body"]


class FAQForm(forms.ModelForm):
    answer = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_BODY_CHARS, help_text="Markdown."
    )

    class Meta:
        model = FAQItem
        fields = ["question", "answer"]


class _OrderedFormSet(BaseInlineFormSet):
    def live_forms(self) -> list[forms.Form]:
        """Forms kept (not deleted, not left empty), in the order the editor chose."""
        ordered = list(self.ordered_forms) if self.can_order else list(self.forms)
        return [f for f in ordered if f.cleaned_data and not f.cleaned_data.get("DELETE")]


class SectionFormSet(_OrderedFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        seen: set[str] = set()
        live = self.live_forms()
        if not live:
            raise ValidationError("A page needs at least one section.")
        for form in live:
            anchor = form.cleaned_data.get("anchor") or slugify(form.cleaned_data.get("heading", ""))[:60]
            anchor = anchor or "section"
            if anchor in RESERVED_ANCHORS:
                form.add_error("anchor", f"“{anchor}” is used by the page itself; choose another link name.")
            elif anchor in seen:
                form.add_error(
                    "anchor", f"Two sections would both be #{anchor}; give this one another link name."
                )
            seen.add(anchor)
            form.cleaned_data["anchor"] = anchor
            form.instance.anchor = anchor


SectionsFormSet = inlineformset_factory(
    TreatmentPage,
    PageSection,
    form=SectionForm,
    formset=SectionFormSet,
    extra=1,
    can_delete=True,
    can_order=True,
)
FAQsFormSet = inlineformset_factory(
    TreatmentPage,
    FAQItem,
    form=FAQForm,
    formset=_OrderedFormSet,
    extra=1,
    can_delete=True,
    can_order=True,
)


class ImportForm(forms.Form):
    """Upload or paste a plain-text export of the clinic's current page (the importer's layout)."""

    file = forms.FileField(
        label="Text file",
        required=False,
        help_text="A plain-text (UTF-8) export of the page, up to 1 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,text/plain"}),
    )
    text = forms.CharField(
        label="Or paste the text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        max_length=1024 * 1024,
    )
    draft = forms.BooleanField(label="Save as a draft (do not publish yet)", required=False, initial=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise ValidationError("Choose a file or paste the page's text.")
        if data.get("file") and (data.get("text") or "").strip():
            raise ValidationError("Choose a file or paste the text, not both.")
        return data


class RecordingForm(forms.Form):
    """A recording of a real voice reading the page; it replaces the computer voice of the live version."""

    recording = forms.FileField(
        label="Recording",
        help_text="WAV, MP3 or Ogg Opus, 5 seconds to 60 minutes, up to 50 MB. It replaces the computer "
        "voice on the live version; publishing a new version makes new computer-voice audio.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "audio/wav,audio/mpeg,audio/ogg,.wav,.mp3,.opus,.ogg"}
        ),
    )
