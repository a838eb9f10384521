import pytest

from toxinclinic.clinical import products


def test_products_table():
    p = products.PRODUCTS
    assert set(p) == {"botox", "dysport", "xeomin", "myobloc", "daxxify"}
    assert [(k, v.hcpcs, v.billing_unit) for k, v in p.items()] == [
        ("botox", "J0585", 1),
        ("dysport", "J0586", 5),
        ("xeomin", "J0588", 1),
        ("myobloc", "J0587", 100),
        ("daxxify", "J0589", 1),
    ]
    assert [v.beyond_use_hours for v in p.values()] == [24, 24, 24, 4, 72]
    assert p["botox"].vial_sizes == (50, 100, 200)
    assert p["myobloc"].vial_sizes == (2500, 5000, 10000)


def test_approvals():
    assert [k for k, v in products.PRODUCTS.items() if v.approved_for("chronic_migraine")] == ["botox"]
    assert all(v.approved_for("cervical_dystonia") for v in products.PRODUCTS.values())


def test_get_unknown():
    assert products.get("xeomin").generic == "incobotulinumtoxinA"
    with pytest.raises(ValueError, match="product: 'jeuveau' is not one of"):
        products.get("jeuveau")
    with pytest.raises(ValueError, match="indication"):
        products.check_indication("spasticity")
