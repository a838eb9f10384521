"""The worklist rule: window states, the stored sort key, and its order over time."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toxinclinic.clinical import worklist as w

T = date(2026, 6, 1)


def facts(days_ago: int | None, **kw):
    return w.PatientFacts(None if days_ago is None else T - timedelta(days_ago), **kw)


@pytest.mark.parametrize(
    ("days_ago", "kw", "state"),
    [
        (30, {}, "too_early"),
        (83, {}, "too_early"),
        (84, {}, "in_window"),
        (97, {}, "in_window"),
        (98, {}, "overdue"),
        (200, {"booked": True}, "booked"),
        (None, {}, "no_session"),
        (200, {"closed": True}, "closed"),
    ],
)
def test_window_states_at_the_published_interval(days_ago, kw, state):
    assert w.window_state(facts(days_ago, **kw), T) == state


def test_a_booked_patient_is_never_overdue():
    a = w.assess(facts(300, booked=True), T)
    assert a.state == "booked" and a.days_overdue == 0


def test_overdue_counts_days_since_the_window_opened():
    a = w.assess(facts(100), T)
    assert a.state == "overdue" and a.days_overdue == 16
    assert "overdue" in a.reasons[0]


def test_grace_is_configurable():
    assert w.window_state(facts(90, grace_days=0), T) == "overdue"


def test_authorization_warnings():
    a = w.assess(facts(30, auth_expires_on=T + timedelta(29), auth_visits_left=0), T)
    assert a.auth_expiring and a.no_visits_left
    assert not w.assess(facts(30, auth_expires_on=T + timedelta(31)), T).auth_expiring


def test_urgent_side_effect_sorts_first_and_is_said_first():
    urgent = w.sort_key(facts(10, urgent_side_effect=True))
    overdue = w.sort_key(facts(400))
    assert (urgent.tier, urgent.attention_on) < (overdue.tier, overdue.attention_on)
    assert w.assess(facts(10, urgent_side_effect=True), T).reasons[0].startswith("open urgent")


def test_booked_sorts_after_patients_needing_booking_unless_no_visits_left():
    booked = w.sort_key(facts(100, booked=True))
    early = w.sort_key(facts(10))
    assert booked.tier > early.tier
    assert w.sort_key(facts(100, booked=True, auth_visits_left=0)).tier == w.TIER_ACTION


def test_expiring_authorization_brings_a_too_early_patient_forward():
    plain = w.sort_key(facts(10))
    expiring = w.sort_key(facts(10, auth_expires_on=T + timedelta(5)))
    assert expiring.attention_on < plain.attention_on


def test_diary_gap():
    assert w.diary_gap(None) and w.diary_gap(21) and not w.diary_gap(22)
    with pytest.raises(ValueError, match="days_recorded_30"):
        w.diary_gap(31)


def test_bad_input_names_the_field():
    with pytest.raises(ValueError, match="grace_days"):
        w.PatientFacts(T, grace_days=-1)


@settings(deadline=None)  # timing is not what this tests (the shared machine is sometimes slow)
@given(st.lists(st.integers(0, 400), min_size=2, max_size=20), st.integers(0, 200))
def test_the_stored_order_is_the_order_by_days_overdue_on_any_day(ages, later):
    """The sort key never needs rewriting as days pass: sorted by it, non-booked patients are in order of
    how long their window has been open, on any later day."""
    today = T + timedelta(later)
    fs = [facts(a) for a in ages]
    ordered = sorted(fs, key=lambda f: (w.sort_key(f).tier, w.sort_key(f).attention_on))
    opened = [(today - f.window_opens).days for f in ordered]
    assert opened == sorted(opened, reverse=True)


def test_planned_codes_follow_the_billing_rules():
    from toxinclinic.clinical import packet

    c = packet.planned_codes("chronic_migraine", "botox", 155)
    assert (c.procedure_code, c.drug_code, c.drug_billing_units, c.sessions_per_year) == (
        "64615",
        "J0585",
        155,
        4,
    )
    d = packet.planned_codes("cervical_dystonia", "dysport", 248, bilateral_neck=True)
    assert (d.procedure_code, d.procedure_modifiers, d.drug_billing_units) == ("64616", ("50",), 50)
    with pytest.raises(ValueError, match="units_per_session"):
        packet.planned_codes("chronic_migraine", "botox", 0)
