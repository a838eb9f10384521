from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toxinclinic.clinical import banner
from toxinclinic.clinical.banner import Allergy, ChartFacts, Condition, Injection, Medication, UrgentReport

TODAY = date(2026, 12, 1)


def _by_kind(b: banner.Banner) -> dict[str, banner.BannerItem]:
    return {i.kind: i for i in b.items}


def test_empty_chart_says_nothing_is_recorded() -> None:
    b = banner.build(ChartFacts(TODAY))
    items = _by_kind(b)
    assert not b.blocking
    assert items["allergies"].text == "None recorded."
    assert items["last_injection"].text == "None recorded here or elsewhere."


def test_every_fact_in_words_and_blocking_first() -> None:
    facts = ChartFacts(
        TODAY,
        allergies=[Allergy("Botox", True, "anaphylaxis"), Allergy("Penicillin", False, "rash")],
        medications=[
            Medication("Warfarin", "anticoagulant"),
            Medication("Gentamicin", "aminoglycoside"),
            Medication("Sumatriptan", "triptan"),
        ],
        conditions=[Condition("myasthenia_gravis", "Myasthenia gravis"), Condition("other", "Asthma")],
        injections=[
            Injection(TODAY - timedelta(days=200), "botox", 155),
            Injection(TODAY - timedelta(days=40), "dysport", 1149),
        ],
        urgent_reports=[UrgentReport(TODAY - timedelta(days=1), ("trouble_breathing", "double_vision"))],
    )
    b = banner.build(facts)
    items = _by_kind(b)
    assert items["toxin_allergy"].level == "stop"
    assert items["toxin_allergy"].text == "Botox (anaphylaxis): contraindicated."
    assert items["allergies"].text == "Penicillin (rash)"
    assert items["urgent_report"].level == "stop"
    assert (
        items["urgent_report"].text
        == "Reported 30 Nov 2026: trouble breathing, double vision (not yet acknowledged)."
    )
    last = items["last_injection"]
    assert last.level == "stop"  # the 84-day window is not open yet
    assert (
        last.text
        == "22 Oct 2026, Dysport 1,149 U, 40 days ago; the next window opens 14 Jan 2027 (in 44 days)."
    )
    meds = [i for i in b.items if i.kind == "medication"]
    assert [m.title for m in meds] == [
        "Anticoagulant or antiplatelet",
        "Aminoglycoside or drug affecting neuromuscular transmission",
    ]
    assert meds[0].text.startswith("Warfarin on the medication list") and meds[0].level == "concern"
    assert "Sumatriptan" not in " ".join(i.text for i in b.items)
    assert items["condition"].text.startswith("Myasthenia gravis in the history")
    levels = [i.level for i in b.items]
    assert levels == sorted(levels, key=["stop", "concern", "info"].index)
    assert {i.kind for i in b.blocking} == {"toxin_allergy", "urgent_report", "last_injection"}


def test_window_open_is_information_only() -> None:
    b = banner.build(ChartFacts(TODAY, injections=[Injection(TODAY - timedelta(days=84), "botox", 155)]))
    last = _by_kind(b)["last_injection"]
    assert (
        last.level == "info"
        and "the next window opened 1 Dec 2026" in last.text
        and "84 days ago" in last.text
    )
    # A future-dated entry is not "the last injection".
    b = banner.build(ChartFacts(TODAY, injections=[Injection(TODAY + timedelta(days=3), "botox", 155)]))
    assert _by_kind(b)["last_injection"].text == "None recorded here or elsewhere."


def test_clinic_date_format_is_used() -> None:
    b = banner.build(
        ChartFacts(TODAY, injections=[Injection(TODAY - timedelta(days=1), "botox", 155)]),
        format_date=lambda d: d.strftime("%m/%d/%Y"),
    )
    assert _by_kind(b)["last_injection"].text.startswith("11/30/2026, Botox 155 U, 1 day ago")


def test_bad_facts() -> None:
    with pytest.raises(ValueError, match="today"):
        ChartFacts("2026-12-01")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="product"):
        ChartFacts(TODAY, injections=[Injection(TODAY, "botulinum", 10)])
    with pytest.raises(ValueError, match="facts"):
        banner.build({})  # type: ignore[arg-type]


@given(
    st.lists(st.tuples(st.integers(0, 400), st.sampled_from(["botox", "dysport", "xeomin"])), max_size=6),
    st.integers(1, 180),
)
def test_last_injection_is_the_latest_and_blocks_only_inside_the_window(shots: list, interval: int) -> None:
    inj = [Injection(TODAY - timedelta(days=d), p, 100) for d, p in shots]
    item = _by_kind(banner.build(ChartFacts(TODAY, injections=inj, interval_days=interval)))["last_injection"]
    if not shots:
        assert item.level == "info"
        return
    days = min(d for d, _ in shots)
    assert item.blocking == (days < interval)
    assert (TODAY - timedelta(days=days)).strftime("%b %Y") in item.text
