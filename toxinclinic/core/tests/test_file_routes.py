"""Every route that serves a file refuses path traversal, plain or encoded, with a 404 and none of the
file's bytes; the public files still serve. Signed-note PDFs live under MEDIA_ROOT/notes/ next to the
public education/ folder, so a prefix check before resolving (`/media/education/../notes/…`) once handed
them to anyone. The raw requests go over a socket to the app's WSGI handler, so the path reaches Django
exactly as written (a test client would normalise it first). Not pytest-django's ``live_server``: that one
wraps the app in Django's test-only media handler, which serves MEDIA_ROOT itself."""

from __future__ import annotations

import http.client
import threading
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.static import serve

NOTE = "notes/2026/12/visit-7f3a-v1.pdf"
NOTE_BYTES = b"%PDF-1.4 SIGNED-NOTE-CONTENT-7f3a"
SECRET_BYTES = b"OUTSIDE-MEDIA-SECRET-91c2"
HEADSHOT = "education/headshots/dr-test_a1b2.jpg"
HEADSHOT_BYTES = b"\xff\xd8\xff\xe0PUBLIC-HEADSHOT"


#: Ways to climb from the public folder into notes/ (and out of MEDIA_ROOT): plain, percent-encoded,
#: upper-case, encoded slash, double-encoded, backslash (raw and encoded), overlong UTF-8, absolute.
def _climbs(note_abs: str) -> list[str]:
    return [
        f"education/../{NOTE}",
        f"education/%2e%2e/{NOTE}",
        f"education/%2E%2E/{NOTE}",
        f"education/.%2e/{NOTE}",
        f"education/..%2f{NOTE}",
        f"education%2f..%2f{NOTE}",
        f"education/%252e%252e/{NOTE}",
        f"education/%252e%252e%252f{NOTE}",
        f"education/..%5c{NOTE}",
        f"education\\..\\{NOTE}",
        f"education/%c0%ae%c0%ae/{NOTE}",
        f"education/audio/../../{NOTE}",
        f"education/./../{NOTE}",
        f"education/headshots/..%2f..%2f{NOTE}",
        NOTE,
        f"/{NOTE}",
        f"education/{note_abs}",
        note_abs,
        "education/../../secret.txt",
        "education/%2e%2e/%2e%2e/secret.txt",
        "education/..%2f..%2fsecret.txt",
    ]


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    (root / NOTE).parent.mkdir(parents=True)
    (root / NOTE).write_bytes(NOTE_BYTES)
    (root / HEADSHOT).parent.mkdir(parents=True)
    (root / HEADSHOT).write_bytes(HEADSHOT_BYTES)
    (tmp_path / "secret.txt").write_bytes(SECRET_BYTES)
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def app_server(transactional_db: Any) -> Any:
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address
    server.shutdown()
    server.server_close()
    thread.join(5)


def _raw_get(address: tuple[str, int], path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(*address, timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)  # sent byte for byte, not normalised
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            out += _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            out.append((prefix + str(p.pattern), p.callback))
    return out


def test_no_route_serves_a_folder_by_prefix() -> None:
    """Django's ``static.serve`` hands out anything under a folder; nothing may route to it (public
    files go through the education file view, notes through the audited visit views)."""
    routes = _patterns(get_resolver())
    assert not [r for r, view in routes if view is serve]
    # The routes this file tests; a new file route must be added here (and to the tests below).
    keys = ("file", "media", "pdf", "static", "download")
    file_routes = {r for r, _ in routes if any(k in r for k in keys)}
    assert file_routes == {
        "media/<path:name>",
        "treatments/files/<path:name>",
        "visits/<str:visit_id>/notes/<int:version>/pdf/",
        "api/v1/visits/<visit_id>/notes/<version>/pdf",
        # Rendered from the database on each request (WeasyPrint), never read from a path.
        "coverage/patients/<uuid:patient_id>/packet.pdf",
        # Serves only a name the export job itself wrote into its manifest (an allow-list, not a path),
        # to the client that started the job (fhir/export_views.download).
        "fhir/R4/$export-file/<str:job_id>/<str:name>",
    }


@pytest.mark.parametrize("prefix", ["/media/", "/treatments/files/"])
def test_traversal_is_refused_and_public_file_serves(app_server: Any, media: Path, prefix: str) -> None:
    for climb in _climbs(str(media / NOTE)):
        status, body = _raw_get(app_server, prefix + climb)
        assert status == 404, (prefix + climb, status, body[:300])
        assert NOTE_BYTES not in body and SECRET_BYTES not in body and b"%PDF" not in body, prefix + climb
    status, body = _raw_get(app_server, prefix + HEADSHOT)
    assert status == 200 and body == HEADSHOT_BYTES


def test_note_routes_refuse_traversal(world: Any, client_as: Any, media: Path) -> None:
    """The audited note views take a visit id, never a path: a climb in its place is a 404 (HTML) or a
    refused id (API), with none of the note's bytes, even for a signed-in clinician."""
    c = client_as("clinician")
    climbs = ["..", "%2e%2e", "..%2f..%2fmedia%2fnotes", "%252e%252e", "..%5c..", "education%2f..%2fnotes"]
    for climb in climbs:
        for url in (f"/visits/{climb}/notes/1/pdf/", f"/api/v1/visits/{climb}/notes/1/pdf"):
            resp = c.get(url)
            assert resp.status_code == 404 or ("/api/" in url and resp.status_code == 422), url
            body = b"".join(resp.streaming_content) if resp.streaming else resp.content
            assert NOTE_BYTES not in body and b"%PDF" not in body, url
    anon = client_as(None)
    assert anon.get("/visits/../notes/1/pdf/").status_code in (302, 404)


def test_static_route_refuses_traversal(client: Any) -> None:
    for climb in ("../settings.py", "%2e%2e/settings.py", "..%2fsettings.py", "core/../../settings.py"):
        resp = client.get("/static/" + climb)
        body = b"".join(resp.streaming_content) if resp.streaming else resp.content
        assert resp.status_code == 404 and b"SECRET_KEY" not in body, climb
