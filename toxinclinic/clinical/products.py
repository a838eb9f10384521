"""Botulinum-toxin products (clinical reference §4, §6).

Units ("U") are specific to each product and are never converted or added across products.
"""

from __future__ import annotations

from dataclasses import dataclass

INDICATIONS: tuple[str, ...] = ("chronic_migraine", "cervical_dystonia")
INDICATION_LABELS: dict[str, str] = {
    "chronic_migraine": "Chronic migraine",
    "cervical_dystonia": "Cervical dystonia",
}
#: Indications that may appear on *previous* sessions (e.g. cosmetic treatment elsewhere) but that this
#: program does not itself treat; they still count for interval checks.
HISTORY_INDICATIONS: tuple[str, ...] = (*INDICATIONS, "cosmetic", "other")


@dataclass(frozen=True)
class Product:
    """A toxin product. ``vial_sizes`` and every dose figure are in this product's own units (U).

    ``billing_unit`` is how many U one HCPCS billing unit covers. ``beyond_use_hours`` is how long a
    reconstituted/diluted vial may be used. ``cd_dose_range`` is the label's cervical-dystonia range
    (min, max U) where the label gives one, else None.
    """

    key: str
    brand: str
    generic: str
    vial_sizes: tuple[int, ...]
    approved_indications: frozenset[str]
    hcpcs: str
    billing_unit: int
    storage: str
    beyond_use_hours: int
    cd_label_dose: str
    cd_dose_range: tuple[float, float] | None = None
    verify_notes: tuple[str, ...] = ()

    def approved_for(self, indication: str) -> bool:
        return indication in self.approved_indications


PRODUCTS: dict[str, Product] = {
    "botox": Product(
        key="botox",
        brand="Botox",
        generic="onabotulinumtoxinA",
        vial_sizes=(50, 100, 200),
        approved_indications=frozenset({"chronic_migraine", "cervical_dystonia"}),
        hcpcs="J0585",
        billing_unit=1,
        storage="Unopened: refrigerate 2–8 °C. Reconstituted: refrigerate and use within 24 hours.",
        beyond_use_hours=24,
        cd_label_dose="Individualised; pivotal-trial mean about 236 U "
        "(25th–75th percentile about 198–300 U). "
        "Sternocleidomastoid total 100 U or less lowers dysphagia risk. Toxin-naive patients start lower.",
    ),
    "dysport": Product(
        key="dysport",
        brand="Dysport",
        generic="abobotulinumtoxinA",
        vial_sizes=(300, 500),
        approved_indications=frozenset({"cervical_dystonia"}),
        hcpcs="J0586",
        billing_unit=5,
        storage="Refrigerate 2–8 °C. Use within 24 hours after reconstitution.",
        beyond_use_hours=24,
        cd_label_dose="500 U initial dose (range 250–1,000 U).",
        cd_dose_range=(250, 1000),
    ),
    "xeomin": Product(
        key="xeomin",
        brand="Xeomin",
        generic="incobotulinumtoxinA",
        vial_sizes=(50, 100, 200),
        approved_indications=frozenset({"cervical_dystonia"}),
        hcpcs="J0588",
        billing_unit=1,
        storage="Unopened: room temperature allowed. Reconstituted: refrigerate, use within 24 hours.",
        beyond_use_hours=24,
        cd_label_dose="120 U initial dose.",
    ),
    "myobloc": Product(
        key="myobloc",
        brand="Myobloc",
        generic="rimabotulinumtoxinB",
        vial_sizes=(2500, 5000, 10000),
        approved_indications=frozenset({"cervical_dystonia"}),
        hcpcs="J0587",
        billing_unit=100,
        storage="Solution. Refrigerate 2–8 °C. Once diluted, use within 4 hours.",
        beyond_use_hours=4,
        cd_label_dose="2,500–5,000 U initial dose.",
        cd_dose_range=(2500, 5000),
        verify_notes=("4-hour use after dilution is marked (verify) in the clinical reference",),
    ),
    "daxxify": Product(
        key="daxxify",
        brand="Daxxify",
        generic="daxibotulinumtoxinA-lanm",
        vial_sizes=(50, 100),
        approved_indications=frozenset({"cervical_dystonia"}),
        hcpcs="J0589",
        billing_unit=1,
        storage="Unopened: room temperature or refrigerated. Reconstituted: use within 72 hours.",
        beyond_use_hours=72,
        cd_label_dose="125–250 U.",
        cd_dose_range=(125, 250),
    ),
}


def get(key: str) -> Product:
    """The product for ``key``; ValueError naming the allowed keys otherwise."""
    if not isinstance(key, str) or key not in PRODUCTS:
        raise ValueError(f"product: {key!r} is not one of {', '.join(PRODUCTS)}")
    return PRODUCTS[key]


def check_indication(indication: str, *, history: bool = False) -> str:
    allowed = HISTORY_INDICATIONS if history else INDICATIONS
    if not isinstance(indication, str) or indication not in allowed:
        raise ValueError(f"indication: {indication!r} is not one of {', '.join(allowed)}")
    return indication
