"""/sitemap.xml: the public index and every published treatment page, with its last publication time."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from toxinclinic.education.models import TreatmentPage


class TreatmentPageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self) -> list[TreatmentPage]:
        return list(
            TreatmentPage.objects.filter(published_version__isnull=False)
            .select_related("published_version")
            .order_by("slug")
        )

    def location(self, item: TreatmentPage) -> str:
        return reverse("education:page", args=[item.slug])

    def lastmod(self, item: TreatmentPage) -> datetime:
        return item.published_version.published_at  # type: ignore[union-attr]


class IndexSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self) -> list[str]:
        return ["education:index"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"treatments": TreatmentPageSitemap, "index": IndexSitemap}
