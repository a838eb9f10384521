"""Public treatment pages: providers, the editable draft (sections and FAQ items) and published versions.

The public page always renders a ``PageVersion``: an immutable snapshot of the draft (provider included)
taken when a clinic admin publishes. Each version carries who published it, when, a unified diff against
the version before, and its narration audio (generated afterwards by a background task).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from toxinclinic.accounts.models import Clinic

booking_link_validator = RegexValidator(
    r"^(https?://\S+|tel:\+?[0-9 ()-]{5,}|mailto:\S+@\S+|/\S*)$",
    "Enter a web address (https://…), a phone link (tel:+1…), an email link (mailto:…) "
    "or a path on this site (/…).",
)


class Provider(models.Model):
    """The clinician a treatment page introduces (headshot, name, credentials, practice)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="providers")
    name = models.CharField(max_length=120, help_text="As patients should see it, e.g. “Dr Sam Okafor”.")
    credentials = models.CharField(max_length=60, blank=True, help_text="e.g. MD, FRCP")
    role = models.CharField(max_length=120, blank=True, help_text="e.g. Consultant neurologist")
    practice = models.CharField(max_length=160, help_text="Practice or clinic name.")
    location = models.CharField(max_length=160, blank=True, help_text="Town or street patients come to.")
    booking_url = models.CharField(
        "booking link",
        max_length=300,
        validators=[booking_link_validator],
        help_text="Where “Book an evaluation” goes: https://…, tel:+1…, mailto:… or /path.",
    )
    booking_label = models.CharField(
        max_length=80, default="Book an evaluation", help_text="The text of the booking button."
    )
    headshot = models.FileField(upload_to="education/headshots/", blank=True)
    headshot_width = models.PositiveIntegerField(null=True, blank=True)
    headshot_height = models.PositiveIntegerField(null=True, blank=True)
    headshot_alt = models.CharField(
        "headshot description",
        max_length=200,
        blank=True,
        help_text="What the picture shows, for people who cannot see it, e.g. “Photo of Dr Sam Okafor "
        "smiling, in a blue shirt”.",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class Condition(models.TextChoices):
    """The program's indications (toxinclinic.clinical.products.INDICATIONS)."""

    CHRONIC_MIGRAINE = "chronic_migraine", "Chronic migraine"
    CERVICAL_DYSTONIA = "cervical_dystonia", "Cervical dystonia"


class TreatmentPage(models.Model):
    """The editable draft of a page; the public sees ``published_version`` only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="treatment_pages")
    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text="The page's address: /treatments/<slug>/. Lower-case letters, digits and hyphens.",
    )
    title = models.CharField(max_length=160)
    summary = models.CharField(
        max_length=300,
        help_text="One or two sentences for search results and link previews (300 characters at most).",
    )
    therapy = models.CharField(
        max_length=160,
        default="OnabotulinumtoxinA (Botox) injections",
        help_text="The treatment's name for search engines, e.g. “OnabotulinumtoxinA (Botox) injections”.",
    )
    conditions = models.JSONField(default=list, help_text="Condition keys the page is about.")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="pages")
    published_version = models.ForeignKey(
        "PageVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    date_published = models.DateTimeField(
        "publish date",
        null=True,
        blank=True,
        help_text="The date patients see as “Published”. Left empty, it is set when the page is first "
        "published. Each later publication shows as “Updated”.",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class PageSection(models.Model):
    page = models.ForeignKey(TreatmentPage, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    anchor = models.SlugField(max_length=60, help_text="Link target on the page (#anchor).")
    heading = models.CharField(max_length=160)
    body = models.TextField(help_text="Markdown: blank line between paragraphs, “- ” for a list item.")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.heading


class FAQItem(models.Model):
    page = models.ForeignKey(TreatmentPage, on_delete=models.CASCADE, related_name="faqs")
    position = models.PositiveIntegerField(default=0)
    question = models.CharField(max_length=200)
    answer = models.TextField(help_text="Markdown.")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.question


class AudioStatus(models.TextChoices):
    PENDING = "pending", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class AudioSource(models.TextChoices):
    GENERATED = "generated", "Computer voice"
    RECORDED = "recorded", "Recorded voice"


class ImmutableVersion(Exception):
    """A published version's content never changes; publish a new version instead."""


class PageVersion(models.Model):
    """One publication of a page: the full content snapshot, who, when, and the diff from the last one.

    Only the narration fields (``audio*``) are filled in later, by the narration task, through
    ``QuerySet.update``; ``save()`` refuses to rewrite an existing row.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    page = models.ForeignKey(TreatmentPage, on_delete=models.CASCADE, related_name="versions")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_by_label = models.CharField(max_length=200)
    published_at = models.DateTimeField()
    content = models.JSONField()
    diff = models.TextField(
        blank=True, help_text="Unified diff of the page text against the previous version."
    )
    audio = models.FileField(upload_to="education/audio/", blank=True)
    audio_status = models.CharField(max_length=10, choices=AudioStatus.choices, default=AudioStatus.PENDING)
    audio_duration_seconds = models.FloatField(null=True, blank=True)
    audio_bytes = models.PositiveIntegerField(null=True, blank=True)
    audio_error = models.CharField(max_length=300, blank=True)
    audio_mp3 = models.FileField(upload_to="education/audio/", blank=True)
    audio_mp3_bytes = models.PositiveIntegerField(null=True, blank=True)
    audio_source = models.CharField(max_length=10, choices=AudioSource.choices, default=AudioSource.GENERATED)
    narration_seconds = models.FloatField(
        null=True, blank=True, help_text="Wall time the narration task took (s)."
    )

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["page", "number"], name="page_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.page} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableVersion("Published versions are immutable; publish a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableVersion("Published versions are kept; publish a new version instead.")
