import pytest
from hypothesis import given
from hypothesis import strategies as st

from toxinclinic.clinical import screening
from toxinclinic.clinical.screening import ScreeningInput, ScreeningPolicy

ALL_NO = ScreeningInput(**dict.fromkeys(screening.KEYS, False))


def test_nothing_is_answered_by_default():
    items = screening.screen(ScreeningInput())
    assert {i.status for i in items} == {"unanswered"} and not screening.complete(items)
    assert screening.unanswered(ScreeningInput()) == list(screening.KEYS)
    assert items[0].sentence == "Not answered: Allergy to any botulinum toxin product or ingredient"


def test_all_clear_reads_as_a_clinician_writes_it():
    items = {i.key: i for i in screening.screen(ALL_NO)}
    assert {i.status for i in items.values()} == {"pass"} and screening.complete(list(items.values()))
    assert items["pregnant"].sentence == "Not pregnant"
    assert items["infection_at_site"].sentence == "No infection at the injection sites"
    assert all(not i.sentence.startswith("No:") for i in items.values())


def test_stops_and_concerns():
    answers = {**dict.fromkeys(screening.KEYS, False)}
    answers.update(hypersensitivity_to_toxin=True, infection_at_site=True, anticoagulant_or_antiplatelet=True)
    answers["pregnant"] = True
    items = {i.key: i for i in screening.screen(ScreeningInput(**answers))}
    assert items["hypersensitivity_to_toxin"].status == "stop"
    assert items["infection_at_site"].status == "stop"
    assert items["pregnant"].status == "concern" and items["pregnant"].needs_acknowledgement
    assert items["pregnant"].sentence == "Pregnant"
    anticoag = items["anticoagulant_or_antiplatelet"].reason
    assert "prescriber's decision" in anticoag and "do not advise the patient to stop" in anticoag


def test_bad_input():
    with pytest.raises(ValueError, match="pregnant"):
        ScreeningInput(pregnant="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reason"):
        screening.screen(ALL_NO, {"pregnant": " "})
    with pytest.raises(ValueError, match="not a screening question"):
        screening.unanswered(ALL_NO, {"pregnancy": "male"})
    with pytest.raises(ValueError, match="sex"):
        screening.not_applicable("M", 40)
    with pytest.raises(ValueError, match="pregnancy_max_age"):
        ScreeningPolicy(pregnancy_min_age=50, pregnancy_max_age=40)


def test_pregnancy_is_asked_only_where_it_can_apply():
    assert screening.not_applicable("female", 34) == {}
    assert screening.not_applicable("male", 34) == {
        "pregnant": "sex recorded as male",
        "breastfeeding": "sex recorded as male",
    }
    old = screening.not_applicable("female", 62)
    assert old["pregnant"] == "age 62, outside the ages asked (12–55)"
    assert screening.not_applicable("female", 11)["breastfeeding"].startswith("age 11")
    # A sex the chart does not know never rules the question out.
    assert screening.not_applicable("unknown", 34) == {} and screening.not_applicable("other", 70) == {}
    assert screening.not_applicable("female", 62, ScreeningPolicy(pregnancy_max_age=65)) == {}
    na = screening.not_applicable("male", 34)
    answers = ScreeningInput(**{k: False for k in screening.KEYS if k not in na})
    assert screening.unanswered(answers, na) == []
    item = next(i for i in screening.screen(answers, na) if i.key == "pregnant")
    assert (item.status, item.answer) == ("not_applicable", "not_applicable")
    assert item.sentence == "Pregnancy not asked: sex recorded as male"


ANSWER = st.sampled_from([True, False, None])


@given(
    st.fixed_dictionaries({k: ANSWER for k in screening.KEYS}),
    st.sampled_from(screening.SEXES),
    st.integers(0, 100),
)
def test_every_question_is_answered_or_ruled_out(raw: dict, sex: str, age: int) -> None:
    na = screening.not_applicable(sex, age)
    answers = ScreeningInput(**raw)
    items = screening.screen(answers, na)
    missing = screening.unanswered(answers, na)
    assert [i.key for i in items] == list(screening.KEYS)
    for i in items:
        if i.key in na:
            assert i.status == "not_applicable"
        elif raw[i.key] is None:
            assert i.status == "unanswered" and i.key in missing
        elif raw[i.key]:
            assert i.status in ("stop", "concern") and i.answer == "yes"
        else:
            assert i.status == "pass" and i.answer == "no" and i.sentence == screening.sentence(i.key, False)
        assert i.sentence and "_" not in i.sentence
    assert screening.complete(items) == (not missing)
    # No answer is ever invented: an unanswered question can never pass.
    assert not any(i.status == "pass" and raw[i.key] is not False for i in items)
