"""“Ask a question”: the best FAQ answer or section, or an honest “no good match”."""

from __future__ import annotations

from typing import Any

import pytest

from toxinclinic.education import quality, search

URL = "/treatments/botox-migraine-dystonia/"
API = "/api/v1/education/pages/botox-migraine-dystonia/answer"


@pytest.fixture(scope="module")
def index() -> search.Index:
    return quality.default_index()


@pytest.mark.parametrize(
    ("question", "anchors", "phrase"),
    [
        ("does it hurt?", "faq-does-it-hurt", "pinch or sting"),
        ("Does it HURT", "faq-does-it-hurt", "pinch or sting"),
        ("will the shots hurt a lot", "faq-does-it-hurt", "pinch or sting"),
        ("how long does it last", "faq-how-long-does-it-last", "about 3 months"),
        ("my eyelid droops, what do I do", "aftercare side-effects", "call the clinic"),
        # Either of the section's steps answers (what to tell us, what to wear).
        ("how do I get ready", "before-your-visit", "please tell us about|wear a top"),
        ("I take warfarin, is that a problem?", "before-your-visit faq-can-i-keep-taking", "blood thinner"),
        ("trouble swallowing", "side-effects faq-what-are-the-side-effects", "trouble"),
        ("can I rub my forehead afterwards", "aftercare faq-what-happens-during", "do not rub"),
        ("how many injections for migraine", "chronic-migraine", "31 small shots"),
        ("which muscels do you inject", "chronic-migraine", "muscles of the head and neck"),
    ],
)
def test_questions_find_the_sentence_that_answers(
    index: search.Index, question: str, anchors: str, phrase: str
) -> None:
    result = search.answer(index, question)
    assert result.matched and result.best is not None, index.search(question)
    assert result.best.doc.anchor.startswith(tuple(anchors.split())), index.search(question)
    assert any(p in result.snippet.lower() for p in phrase.split("|")), result.snippet
    # A sentence or two (or one list with its lead-in), not the whole section.
    assert len(result.snippet) < len(result.best.doc.body)


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


def test_stemming_lay_words_and_misspellings_meet_the_page(index: search.Index) -> None:
    assert search.terms("injections injected shots jabs") == ["inject"] * 4
    assert search.terms("does it hurt") == search.terms("painful") == ["pain"]
    assert search.terms("get ready") == search.terms("prepare") == ["befor", "visit"]
    assert index.query_terms("is it painfull")[0] == ["pain"]
    assert index.query_terms("im pregnent")[0] == ["pregnant"]
    # Intent: "how soon" adds the timeline's words at a lower weight, and is not itself required.
    own, extra = index.query_terms("how soon does it work")
    assert "soon" not in own and {"within", "week"} <= set(extra)


def test_question_set_quality(index: search.Index) -> None:
    """The question set (tests/questions.json) on the halves used for tuning; `make bench` reports the same.

    The ``held_out_5`` batch is left out on purpose: it is measured by the bench only, never here."""
    rows = quality.load()
    assert len(rows) >= 80
    assert sum(1 for r in rows if not r["answer_contains"]) >= 15
    report = quality.evaluate(index, rows)
    right, n = report.share(answerable=True, half="tuning")
    assert right / n >= 0.9, [(o.question, o.got) for o in report.failures("tuning")]
    declined, n_un = report.share(answerable=False, half="held_out")
    assert declined == n_un, [(o.question, o.got) for o in report.failures("held_out") if not o.answerable]
    # Every probe of the tuning half is declined since the third round, “how long will I be at the clinic”
    # (a “how long” question wants a time) and “can I take Tylenol after” (no drug the page does not name
    # is mapped onto its class) included.
    declined, n_un = report.share(answerable=False, half="tuning")
    assert declined == n_un, [(o.question, o.got) for o in report.failures("tuning") if not o.answerable]
    # The old held-out half has been looked at since issue 18's second round and is tuned on now.
    held, n_held = report.share(answerable=True, half="held_out")
    assert held / n_held >= 0.85
    # held_out_2 has been looked at since the third round, and so have the round-3 batches: tuned on, with
    # bounds a little under what they score, so that a change that loses ground on them fails here.
    # held_out_3 and round_4 have been tuned on since the fourth round (the sentence model's weights),
    # held_out_4 since the fifth (read after its final measurement).
    for half, answered, declines in (
        ("held_out_2", 0.85, 0.9),
        ("round_3", 0.75, 0.7),
        ("held_out_3", 0.7, 1.0),
        ("round_4", 0.65, 1.0),
        ("held_out_4", 0.6, 0.95),
    ):
        right, n = report.share(answerable=True, half=half)
        declined, n_un = report.share(answerable=False, half=half)
        assert right / n >= answered and declined / n_un >= declines, (half, report.failures(half))


def test_no_javascript_form_answers_on_the_page(client: Any, demo_page: Any) -> None:
    r = client.get(URL, {"q": "does it hurt?"})
    html = r.content.decode()
    assert r.status_code == 200
    assert 'From the page: <a href="#faq-does-it-hurt">Does it hurt?</a>' in html
    assert "quick pinch or sting" in html.split('id="answer"')[1].split("</div>")[0]
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
    assert data["snippet"].startswith("One treatment lasts about 3 months.")
    miss = client.get(API, {"q": "pizza"}).json()
    assert miss["matched"] is False and "could not find a good answer" in miss["message"]
    bad = client.get(API, {"q": ""})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "q"
    assert client.get(API, {"q": "y" * 301}).status_code == 422
