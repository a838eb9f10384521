from collections import Counter

import pytest

from toxinclinic.clinical import anatomy, protocols


def test_preempt_fixed():
    p = protocols.preempt()
    assert (p.key, p.site_count, p.total_units, p.max_total_units) == ("preempt", 31, 155, 155)
    per = Counter(s.muscle for s in p.sites)
    assert per == {
        "corrugator": 2,
        "procerus": 1,
        "frontalis": 4,
        "temporalis": 8,
        "occipitalis": 6,
        "cervical_paraspinal": 4,
        "trapezius": 6,
    }
    assert all(s.units == 5 for s in p.sites)
    assert len(p.site_ids()) == 31
    assert "temporalis_left_1" in p.site_ids() and "procerus_midline_1" in p.site_ids()


def test_preempt_follow_the_pain():
    p = protocols.preempt(True)
    assert (p.key, p.site_count, p.total_units, p.max_total_units) == ("preempt_ftp", 39, 195, 195)
    ftp = Counter(s.muscle for s in p.sites if s.follow_the_pain)
    assert ftp == {"temporalis": 2, "occipitalis": 2, "trapezius": 4}
    p3 = protocols.preempt(3, pain_side="right")
    assert p3.total_units == 170
    assert [s.site_id for s in p3.sites if s.follow_the_pain] == [
        "temporalis_right_ftp_1",
        "temporalis_right_ftp_2",
        "occipitalis_right_ftp_1",
    ]
    assert protocols.preempt({"trapezius": 4}).total_units == 175
    assert protocols.preempt(0).key == "preempt"
    with pytest.raises(ValueError, match="follow_the_pain: 9 is above 8"):
        protocols.preempt(9)
    with pytest.raises(ValueError, match="follow_the_pain temporalis: 3 is above 2"):
        protocols.preempt({"temporalis": 3})
    with pytest.raises(ValueError, match="follow_the_pain muscle"):
        protocols.preempt({"frontalis": 1})


def test_preempt_limits():
    lim = protocols.preempt_muscle_limits(False)
    assert lim["temporalis"].max_units == 40 and lim["temporalis"].max_sites == 8
    lim = protocols.preempt_muscle_limits(True)
    assert (lim["temporalis"].max_units, lim["occipitalis"].max_units, lim["trapezius"].max_units) == (
        50,
        40,
        50,
    )


def test_cd_templates():
    t = protocols.cervical_dystonia("torticollis", "right")
    assert {(s.muscle, s.side) for s in t.sites} == {
        ("sternocleidomastoid", "left"),
        ("splenius_capitis", "right"),
    }
    lat = protocols.cervical_dystonia("laterocollis", "left")
    assert {s.side for s in lat.sites} == {"left"}
    assert {s.muscle for s in lat.sites} == {
        "sternocleidomastoid",
        "scalenes",
        "levator_scapulae",
        "splenius_capitis",
    }
    ret = protocols.cervical_dystonia("retrocollis")
    assert {s.muscle for s in ret.sites} == {"splenius_capitis", "semispinalis_capitis", "trapezius"}
    for key in protocols.PROTOCOL_KEYS[2:]:
        p = protocols.get(key)
        per_ms = Counter()
        for s in p.sites:
            per_ms[(s.muscle, s.side)] += s.units
            assert s.units <= 50
        for (m, _), u in per_ms.items():
            lo, hi = protocols.CD_RANGES[m]
            assert lo <= u <= hi
    with pytest.raises(ValueError, match="side: torticollis needs"):
        protocols.cervical_dystonia("torticollis")
    with pytest.raises(ValueError, match="bilateral"):
        protocols.cervical_dystonia("anterocollis", "left")
    with pytest.raises(ValueError, match="subtype"):
        protocols.cervical_dystonia("blepharospasm")


def test_positions_inside_box():
    for muscle, sides in anatomy.SITE_POSITIONS.items():
        for side, pts in sides.items():
            anatomy.check_muscle_side(muscle, side)
            for view, x, y in pts:
                assert view in anatomy.VIEWS and 0 <= x <= 100 and 0 <= y <= 100
    # front view: patient's left is on the viewer's right
    assert anatomy.site_position("corrugator", "left", 0)[1] > 50
    assert anatomy.site_position("trapezius", "left", 0)[1] < 50
    with pytest.raises(ValueError, match="midline"):
        anatomy.check_muscle_side("procerus", "left")
    with pytest.raises(ValueError, match="muscle"):
        anatomy.check_muscle_side("masseter", "left")
