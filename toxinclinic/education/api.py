"""Public JSON for the treatment page's “Ask a question” box (no login: the page is public)."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router

from toxinclinic.core.errors import FieldError
from toxinclinic.core.schemas import Schema
from toxinclinic.education import search, services

API_PREFIX = "/education"
router = Router(tags=["education"])


class AnswerOut(Schema):
    query: str
    matched: bool = Field(..., description="False when nothing on the page answers the question well.")
    kind: str | None = Field(None, description="faq or section")
    title: str | None = Field(None, description="The FAQ question or the section heading.")
    url: str | None = Field(None, description="Link to the answer on the page (#anchor).")
    html: str | None = Field(None, description="The answer: the sentence or two that answer it, as HTML.")
    snippet: str | None = Field(None, description="The same answer as plain text.")
    message: str
    others: list[dict[str, str]] = Field(default_factory=list, description="Other good matches: title, url.")


@router.get(
    "/pages/{slug}/answer",
    response=AnswerOut,
    auth=None,
    summary="Answer a question from a published treatment page's FAQ and sections",
)
def answer_question(request: HttpRequest, slug: str, q: str = "") -> Any:
    _page, version = services.published(slug)
    q = q.strip()
    if not q:
        raise FieldError({"q": ["Type a question, for example “Does it hurt?”."]})
    if len(q) > search.MAX_QUERY_CHARS:
        raise FieldError(
            {"q": [f"Keep the question to {search.MAX_QUERY_CHARS} characters or fewer (it has {len(q)})."]}
        )
    page_url = reverse("education:page", args=[slug])
    result = search.answer(search.index_for_version(version), q)
    if not result.matched or result.best is None:
        phone = version.content["clinic"]["phone"]
        return {
            "query": q,
            "matched": False,
            "message": "We could not find a good answer to that on this page. "
            + (f"Please call the clinic on {phone}, or ask us at your visit." if phone else "Please ask us."),
        }
    best = result.best.doc
    return {
        "query": q,
        "matched": True,
        "kind": best.kind,
        "title": best.title,
        "url": f"{page_url}#{best.anchor}",
        "html": result.html,
        "snippet": result.snippet,
        "message": "From the page:",
        "others": [{"title": h.doc.title, "url": f"{page_url}#{h.doc.anchor}"} for h in result.others],
    }
