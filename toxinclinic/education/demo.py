"""Demo step: the demo clinic's provider (with a drawn headshot) and its published Botox page.

Publishing queues the narration; the worker that `make demo` starts records the audio within seconds,
and until then the page says the audio is being prepared.
"""

from __future__ import annotations

from toxinclinic.accounts.locale import format_phone, tel_href
from toxinclinic.demo.context import DemoContext
from toxinclinic.education import content, images
from toxinclinic.education.models import Provider, TreatmentPage
from toxinclinic.education.services import fill_from_content, publish

DEMO_ORDER = 50


def create_demo_page(clinic: object, actor: object, *, seed: str = "okafor") -> TreatmentPage:
    """Provider + default page for ``clinic``, published by ``actor`` (also used by tests and benchmarks)."""
    phone = clinic.phone  # type: ignore[attr-defined]
    provider = Provider(clinic=clinic, booking_url=tel_href(phone, clinic), **content.DEMO_PROVIDER)
    provider.booking_label = f"Book an evaluation ({format_phone(phone, clinic)})"
    avatar = images.illustrated_avatar(seed)
    provider.headshot.save(avatar.name, avatar, save=False)
    provider.headshot_width = provider.headshot_height = images.SIZE
    provider.save()
    d = content.default_page(clinic_phone=clinic.phone, emergency_number=clinic.emergency_number)  # type: ignore[attr-defined]
    page = TreatmentPage.objects.create(
        clinic=clinic,
        slug=d["slug"],
        title=d["title"],
        summary=d["summary"],
        therapy=d["therapy"],
        conditions=d["conditions"],
        provider=provider,
    )
    fill_from_content(page, d)
    publish(page, actor=actor, expected_version=page.version)
    return page


def seed(ctx: DemoContext) -> None:
    task = ctx.task("treatment page", 1)
    create_demo_page(ctx.clinic, ctx.staff["admin"])
    ctx.advance(task)
