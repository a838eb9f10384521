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


# --- NDC: labeler and product codes from the labels (DailyMed listings, Ipsen's ordering page) ---------


@pytest.mark.parametrize(
    ("product", "ndc", "size"),
    [
        ("botox", "0023-1145-01", 100),
        ("botox", "0023-3921-02", 200),
        ("botox", "00023-1145-01", 100),  # the 11-digit billing form
        ("botox", "00023114501", 100),
        ("dysport", "15054-0500-01", 500),
        ("dysport", "15054-0500-1", 500),  # 5-4-1 as printed
        ("dysport", "15054-0530-06", 300),
        ("xeomin", "0259-1610-01", 100),
        ("myobloc", "10454-710-10", 2500),  # 5-3-2
        ("myobloc", "10454-0712-10", 10000),
    ],
)
def test_real_cartons_are_accepted(product: str, ndc: str, size: int) -> None:
    assert products.check_ndc(product, ndc, size).ok


def test_another_products_ndc_names_whose_it_is() -> None:
    v = products.check_ndc("botox", "15054-0500-1", 100)
    assert not v.ok and v.ndc11 == "15054-0500-01"
    assert v.reasons == (
        "NDC 15054-0500-1 has labeler code 15054, Ipsen's code for Dysport; Botox is labelled by Allergan "
        "(0023). Check the carton and the product chosen.",
    )
    assert "Allergan's code for Botox" in products.check_ndc("dysport", "0023-1145-01", 500).reasons[0]
    assert "Revance (70428)" in products.check_ndc("daxxify", "0259-1610-01", 100).reasons[0]


def test_product_code_and_vial_size_must_match() -> None:
    v = products.check_ndc("botox", "0023-9232-01", 100)  # BOTOX Cosmetic's 100 U code
    assert not v.ok and "product code 9232, which is not Botox's" in v.reasons[0]
    assert "1145 = 100 U" in v.reasons[0]
    assert products.check_ndc("botox", "0023-3921-02", 100).reasons == (
        "NDC 0023-3921-02 is the 200 U Botox vial, not 100 U; check the carton.",
    )
    assert (
        products.check_ndc("dysport", "15054-0500-01", 300)
        .reasons[0]
        .startswith("NDC 15054-0500-01 is the 500 U")
    )


@pytest.mark.parametrize(
    "bad", ["", "0023-1145", "023-1145-01", "0023-11450-1", "0023 1145 01", "١٢٣٤-1145-01", "1505405000"]
)
def test_malformed_ndc_says_the_shapes(bad: str) -> None:
    assert products.ndc11(bad) is None
    v = products.check_ndc("botox", bad, 100)
    assert not v.ok and "4-4-2, 5-3-2 or 5-4-1" in v.reasons[0]
