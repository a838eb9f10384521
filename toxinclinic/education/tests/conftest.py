from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings: Any, tmp_path: Path) -> None:
    """Uploads and audio go to a fresh folder; the page cache starts empty."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()


@pytest.fixture
def demo_page(world: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """The default Botox page for clinic A, published once by its admin (narration queued, not run)."""
    from toxinclinic.education.demo import create_demo_page

    with django_capture_on_commit_callbacks(execute=False):
        page = create_demo_page(world.clinic, world.user("admin"))
    page.refresh_from_db()
    return page


@pytest.fixture
def narrated_page(demo_page: Any) -> Any:
    """``demo_page`` with its audio made (espeak-ng + opusenc, as the worker would)."""
    from toxinclinic.education.tasks import narrate

    assert narrate(demo_page.published_version_id) == "ready"
    demo_page.refresh_from_db()
    return demo_page
