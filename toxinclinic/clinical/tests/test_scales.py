import pytest

from toxinclinic.clinical import scales


def test_midas_worked_example():
    r = scales.midas([4, 2, 3, 1, 2])
    assert (r.total, r.grade) == (12, "III")


@pytest.mark.parametrize(
    ("total", "grade"),
    [(0, "I"), (5, "I"), (6, "II"), (10, "II"), (11, "III"), (20, "III"), (21, "IV"), (450, "IV")],
)
def test_midas_grade_edges(total, grade):
    answers = [min(90, total - 90 * i) if total > 90 * i else 0 for i in range(5)]
    assert sum(answers) == total
    assert scales.midas(answers).grade == grade


def test_midas_errors():
    with pytest.raises(ValueError, match="MIDAS item 3: 91 is above 90 days"):
        scales.midas([0, 0, 91, 0, 0])
    with pytest.raises(ValueError, match="expected 5 answers, got 4"):
        scales.midas([1, 2, 3, 4])
    with pytest.raises(ValueError, match="MIDAS item 1"):
        scales.midas([True, 0, 0, 0, 0])
    with pytest.raises(ValueError, match="MIDAS item 2: -1"):
        scales.midas([0, -1, 0, 0, 0])
    with pytest.raises(ValueError, match="MIDAS item 5"):
        scales.midas([0, 0, 0, 0, 2.5])


def test_hit6_worked_example():
    r = scales.hit6(["sometimes"] * 3 + ["very often"] * 2 + ["always"])
    assert (r.total, r.band) == (65, "severe")


def _hit6_for(total):
    # Build answers summing to ``total`` from the 6/8/10/11/13 point values by search.
    import itertools

    for combo in itertools.combinations_with_replacement(scales.HIT6_POINTS.items(), 6):
        if sum(p for _, p in combo) == total:
            return [a for a, _ in combo]
    raise AssertionError(total)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (36, "little_or_none"),
        (49, "little_or_none"),
        (50, "some"),
        (55, "some"),
        (56, "substantial"),
        (59, "substantial"),
        (60, "severe"),
        (78, "severe"),
    ],
)
def test_hit6_band_edges(total, band):
    r = scales.hit6(_hit6_for(total))
    assert (r.total, r.band) == (total, band)


def test_hit6_errors():
    with pytest.raises(ValueError, match="expected 6 answers, got 5"):
        scales.hit6(["never"] * 5)
    with pytest.raises(ValueError, match="HIT-6 item 4: 'often'"):
        scales.hit6(["never"] * 3 + ["often"] + ["never"] * 2)
    assert scales.hit6(["Very_Often"] * 6).total == 66


def test_twstrs():
    r = scales.twstrs(severity=20, disability=[1, 2, 3, 4, 5, 0], pain=7.5)
    assert (r.disability, r.total) == (15, 42.5)
    assert scales.twstrs(severity=0, disability=0, pain=0).total == 0
    assert scales.twstrs(severity=35, disability=30, pain=20).total == 85
    with pytest.raises(ValueError, match="TWSTRS severity"):
        scales.twstrs(severity=36, disability=0, pain=0)
    with pytest.raises(ValueError, match="disability item 2: 6 is above 5"):
        scales.twstrs(severity=1, disability=[0, 6, 0, 0, 0, 0], pain=0)
    with pytest.raises(ValueError, match="expected 6 items, got 5"):
        scales.twstrs(severity=1, disability=[0] * 5, pain=0)
    with pytest.raises(ValueError, match="TWSTRS pain"):
        scales.twstrs(severity=1, disability=0, pain=20.5)


def test_tsui():
    assert (
        scales.tsui(
            rotation=3,
            tilt=3,
            flexion_extension=3,
            duration=2,
            shoulder_elevation=3,
            tremor_severity=2,
            tremor_duration=2,
        ).total
        == 25
    )
    assert scales.tsui(rotation=2, tilt=1, flexion_extension=0, duration=1, shoulder_elevation=1).total == 4
    assert scales.tsui(rotation=0, tilt=0, flexion_extension=0, duration=1, shoulder_elevation=0).total == 0
    with pytest.raises(ValueError, match="Tsui duration: 3 is above 2"):
        scales.tsui(rotation=1, tilt=0, flexion_extension=0, duration=3, shoulder_elevation=0)


def test_nrs_pgic():
    assert scales.nrs(0).label == "no pain"
    assert scales.nrs(10).value == 10
    with pytest.raises(ValueError, match="pain NRS: 11"):
        scales.nrs(11)
    with pytest.raises(ValueError, match="pain NRS"):
        scales.nrs(True)
    assert scales.pgic(1).label == "very much improved"
    assert scales.pgic(7).label == "very much worse"
    with pytest.raises(ValueError, match="PGIC: 0 is below 1"):
        scales.pgic(0)


def test_twstrs_pain_subscale():
    r = scales.twstrs_pain(worst=8, best=2, usual=5, duration=3, disability=2)
    assert r.severity == 5.0  # (8 + 2 + 2 * 5) / 4
    assert r.total == 10.0
    top = scales.twstrs_pain(worst=10, best=10, usual=10, duration=5, disability=5)
    assert top.total == 20
    assert scales.twstrs_pain(worst=0, best=0, usual=0, duration=0, disability=0).total == 0
    with pytest.raises(ValueError, match="TWSTRS pain worst: 11 is above 10"):
        scales.twstrs_pain(worst=11, best=0, usual=0, duration=0, disability=0)
    with pytest.raises(ValueError, match="best: 6 is above the worst rating 4"):
        scales.twstrs_pain(worst=4, best=6, usual=5, duration=0, disability=0)
    with pytest.raises(ValueError, match="usual: 9 must lie between"):
        scales.twstrs_pain(worst=8, best=2, usual=9, duration=0, disability=0)
    with pytest.raises(ValueError, match="TWSTRS pain duration: 6 is above 5"):
        scales.twstrs_pain(worst=1, best=0, usual=1, duration=6, disability=0)


def test_twstrs_patient_rated_parts():
    pain = scales.twstrs_pain(worst=8, best=2, usual=5, duration=3, disability=2)
    r = scales.twstrs_patient(disability=[1, 2, 3, 4, 5, 0], pain=pain)
    assert (r.disability, r.total) == (15, 25.0)
    # Agrees with the full score when a clinician adds severity.
    assert scales.twstrs(severity=20, disability=list(r.disability_items), pain=pain.total).total == 45
    with pytest.raises(ValueError, match="disability item 3: 6 is above 5"):
        scales.twstrs_patient(disability=[0, 0, 6, 0, 0, 0], pain=pain)
    with pytest.raises(ValueError, match="expected 6 items, got 5"):
        scales.twstrs_patient(disability=[0] * 5, pain=pain)
    with pytest.raises(ValueError, match="expected a twstrs_pain"):
        scales.twstrs_patient(disability=[0] * 6, pain=7.5)  # type: ignore[arg-type]
