"""“Ask a question”: the best FAQ answer or section, or an honest “no good match”."""

from __future__ import annotations

from typing import Any

import pytest

from toxinclinic.education import content, search
from toxinclinic.education.services import faq_anchor

URL = "/treatments/botox-migraine-dystonia/"
API = "/api/v1/education/pages/botox-migraine-dystonia/answer"


@pytest.fixture(scope="module")
def index() -> search.Index:
    page = content.default_page(clinic_phone="020", emergency_number="999")
    taken = {s["anchor"] for s in page["sections"]}
    for f in page["faqs"]:
        f["anchor"] = faq_anchor(f["question"], taken)
    return search.Index.for_content(page)


@pytest.mark.parametrize(
    ("question", "anchor"),
    [
        ("does it hurt?", "faq-does-it-hurt"),
        ("Does it HURT", "faq-does-it-hurt"),
        ("is the injection painful", "faq-does-it-hurt"),
        ("how long does it last", "faq-how-long-does-it-last"),
        ("how long do the effects last?", "faq-how-long-does-it-last"),
        ("I take warfarin, is that a problem?", "faq-can-i-keep-taking-my-usual-medicines"),
        ("what should I tell you before my visit", "before-your-visit"),
        ("can I take my blood thinner", "faq-can-i-keep-taking-my-usual-medicines"),
        ("what are the side effects", "side-effects"),
        ("trouble swallowing", "side-effects"),
        ("I am pregnant", "faq-can-i-have-it-if-i-am-pregnant-or-breastfeeding"),
        ("will I look frozen", "faq-will-my-face-look-different"),
        ("when will it start working", "when-it-works"),
        ("what else can I try instead", "alternatives"),
        ("can I rub my forehead afterwards", "aftercare"),
        ("how many injections for migraine", "chronic-migraine"),
    ],
)
def test_questions_find_the_right_part(index: search.Index, question: str, anchor: str) -> None:
    result = search.answer(index, question)
    assert result.matched and result.best is not None
    assert result.best.doc.anchor == anchor, [(h.doc.anchor, h.score) for h in index.search(question)]


@pytest.mark.parametrize(
    "question",
    [
        "pizza delivery near me",
        "what is the weather in Paris",
        "does insurance cover it",
        "how much does it cost",
        "the",
        "???",
    ],
)
def test_no_good_match_is_said_honestly(index: search.Index, question: str) -> None:
    assert not search.answer(index, question).matched


def test_stemming_and_synonyms_meet_in_the_middle() -> None:
    assert search.terms("injections injected") == ["inject", "inject"]
    assert search.terms("does it hurt") == search.terms("painful") == ["pain"]
    assert search.terms("how long does it last") == ["last", "last"]


def test_no_javascript_form_answers_on_the_page(client: Any, demo_page: Any) -> None:
    r = client.get(URL, {"q": "does it hurt?"})
    html = r.content.decode()
    assert r.status_code == 200
    assert 'The closest answer on this page: <a href="#faq-does-it-hurt">Does it hurt?</a>' in html
    assert 'value="does it hurt?"' in html
    r = client.get(URL, {"q": "how much does parking cost"})
    assert "We could not find a good answer to that on this page" in r.content.decode()
    assert "020 0000 0001" in r.content.decode()


def test_bad_questions_get_a_specific_message(client: Any, demo_page: Any) -> None:
    r = client.get(URL, {"q": "   "})
    assert r.status_code == 400 and "Type a question first" in r.content.decode()
    r = client.get(URL, {"q": "x" * 301})
    assert r.status_code == 400 and "301 characters" in r.content.decode()


def test_json_endpoint(client: Any, demo_page: Any) -> None:
    r = client.get(API, {"q": "how long does it last"})
    assert r.status_code == 200
    data = r.json()
    assert data["matched"] and data["kind"] == "faq" and data["title"] == "How long does it last?"
    assert data["url"] == URL + "#faq-how-long-does-it-last" and "3 months" in data["html"]
    miss = client.get(API, {"q": "pizza"}).json()
    assert miss["matched"] is False and "could not find a good answer" in miss["message"]
    bad = client.get(API, {"q": ""})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "q"
    assert client.get(API, {"q": "y" * 301}).status_code == 422
