from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toxinclinic.clinical import billing, dosing, products, protocols
from toxinclinic.clinical.dosing import Injection, Session

D = date(2026, 6, 1)


def disp(ls):
    return [x.display for x in ls]


def test_botox_155_two_vials():
    s = dosing.session_from_protocol(protocols.preempt(), D)
    assert disp(billing.lines(s, [100, 100])) == ["64615 × 1", "J0585 × 155", "J0585-JW × 45"]


def test_dysport_248():
    s = Session(
        D,
        "dysport",
        "cervical_dystonia",
        [Injection("sternocleidomastoid", "left", 124), Injection("splenius_capitis", "right", 124)],
    )
    assert disp(billing.lines(s, [500])) == ["64616-50 × 1", "J0586 × 50", "J0586-JW × 50"]


def test_jz_when_nothing_discarded_and_unilateral():
    s = Session(
        D,
        "botox",
        "cervical_dystonia",
        [Injection("splenius_capitis", "right", 50), Injection("splenius_capitis", "right", 50)],
    )
    assert disp(billing.lines(s, [100])) == ["64616 × 1", "J0585-JZ × 100"]


def test_waste_within_one_billing_unit():
    s = Session(D, "dysport", "cervical_dystonia", [Injection("splenius_capitis", "right", 498)])
    assert disp(billing.lines(s, [500])) == ["64616 × 1", "J0586-JZ × 100"]


def test_guidance_and_ultrasound():
    s = dosing.session_from_protocol(protocols.preempt(), D, vials=[200])
    assert disp(billing.lines(s, guidance="emg"))[:2] == ["64615 × 1", "95874 × 1"]
    assert disp(billing.lines(s, guidance="estim"))[:2] == ["64615 × 1", "95873 × 1"]
    assert "76942 × 1" not in disp(billing.lines(s, ultrasound=True))
    assert "76942 × 1" in disp(
        billing.lines(s, ultrasound=True, policy=billing.BillingPolicy(allow_ultrasound_76942=True))
    )
    with pytest.raises(ValueError, match="guidance"):
        billing.lines(s, guidance="both")


def test_errors():
    s = dosing.session_from_protocol(protocols.preempt(), D)
    with pytest.raises(ValueError, match="155 U administered is more than the 100 U opened"):
        billing.lines(s, [100])
    with pytest.raises(ValueError, match="vials"):
        billing.lines(s, [])
    with pytest.raises(ValueError, match="no 300 U vial"):
        billing.lines(s, [300])


def test_diagnosis_codes():
    assert billing.diagnosis_code("cervical_dystonia") == "G24.3"
    assert billing.diagnosis_code("chronic_migraine") == "G43.709"
    assert billing.diagnosis_code("chronic_migraine", intractable=True) == "G43.719"
    assert billing.diagnosis_code("chronic_migraine", intractable=True, status_migrainosus=True) == "G43.711"
    assert billing.diagnosis_code("chronic_migraine", status_migrainosus=True) == "G43.701"
    assert set(billing.DIAGNOSIS_CODES["chronic_migraine"]) == {"G43.701", "G43.709", "G43.711", "G43.719"}


@settings(deadline=None)  # timing is not what this tests (the shared machine is sometimes slow)
@given(st.sampled_from(list(products.PRODUCTS)), st.data())
def test_billing_units_cover_dose(product, data):
    p = products.get(product)
    vial = data.draw(st.sampled_from(p.vial_sizes))
    units = data.draw(st.floats(0.1, vial))
    s = Session(D, product, "cervical_dystonia", [Injection("trapezius", "left", units)])
    ls = billing.lines(s, [vial])
    drug = [x for x in ls if x.code == p.hcpcs]
    given_line = next(x for x in drug if "JW" not in x.modifiers)
    assert given_line.units * p.billing_unit >= units
    assert sum(x.units for x in drug) * p.billing_unit == vial
