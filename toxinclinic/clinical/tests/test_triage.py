import pytest

from toxinclinic.clinical import triage


@pytest.mark.parametrize("s", sorted(triage.URGENT_SYMPTOMS))
def test_urgent(s):
    t = triage.assess([s], 3)
    assert (t.level, t.advice) == ("urgent", "emergency")


@pytest.mark.parametrize("s", sorted(triage.ROUTINE_SYMPTOMS))
def test_routine(s):
    t = triage.assess([s], 3)
    assert t.level == "routine"
    assert t.advice == ("call_clinic" if s in triage.CALL_CLINIC_SYMPTOMS else "routine_review")


def test_ptosis_rule():
    assert triage.assess(["drooping_eyelid"], 10).level == "routine"
    t = triage.assess(["drooping_eyelid", "double_vision"], 10)
    assert t.level == "urgent" and any("drooping eyelid together" in r for r in t.reasons)
    assert triage.assess(["drooping_eyelid", "neck_pain"], 10).level == "routine"


def test_labels_and_errors():
    assert all(isinstance(v, str) and v for v in triage.SYMPTOMS.values())
    with pytest.raises(ValueError, match="symptoms item 2: 'dizzy'"):
        triage.assess(["headache", "dizzy"], 1)
    with pytest.raises(ValueError, match="days_since_injection"):
        triage.assess(["headache"], -1)
    assert triage.assess([], 5).advice == "routine_review"
    assert triage.assess(["trouble_breathing"], 200).level == "urgent"


def test_bad_symptom_shapes():
    with pytest.raises(ValueError, match="symptoms"):
        triage.assess("headache", 1)
    with pytest.raises(ValueError, match="symptoms item 1"):
        triage.assess([["headache"]], 1)
    with pytest.raises(ValueError, match="symptoms"):
        triage.assess(None, 1)
