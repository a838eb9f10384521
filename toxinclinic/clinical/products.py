"""Botulinum-toxin products (clinical reference §4, §6).

Units ("U") are specific to each product and are never converted or added across products.
"""

from __future__ import annotations

import re
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
    #: NDC labeler code as printed (4 or 5 digits) and the labeler's name.
    ndc_labeler: str = ""
    ndc_labeler_name: str = ""
    #: NDC product codes (4 digits, zero-padded) of this product, each with its vial size in U where the
    #: source says which size it is (None: the code is this product's, the size was not confirmed).
    #: Empty: only the labeler is checked.
    ndc_products: tuple[tuple[str, int | None], ...] = ()

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
        # DailyMed listing of BOTOX (Allergan, set 33d066a9…): 0023-1145 is 100 U, 0023-3921 is 200 U (carton
        # NDC 0023-3921-02). 0023-3919 is the 50 U vial in the BOTOX Cosmetic listing.
        ndc_labeler="0023",
        ndc_labeler_name="Allergan",
        ndc_products=(("1145", 100), ("3921", 200), ("3919", 50)),
        verify_notes=("the 50 U code 0023-3919 is from the BOTOX Cosmetic listing (verify for BOTOX)",),
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
        # Ipsen's ordering page (dysport.com): 500 U vial NDC 15054-0500-01, 300 U vial NDC 15054-0530-06.
        ndc_labeler="15054",
        ndc_labeler_name="Ipsen",
        ndc_products=(("0500", 500), ("0530", 300)),
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
        # Merz Pharmaceuticals' labeler code (carton NDC 0259-1610-01 for 100 U); the product codes of the
        # other sizes were not confirmed, so only the labeler is checked.
        ndc_labeler="0259",
        ndc_labeler_name="Merz",
        verify_notes=("NDC product codes not confirmed; only the labeler 0259 is checked",),
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
        verify_notes=(
            "4-hour use after dilution is marked (verify) in the clinical reference",
            "which of the NDC product codes 710/711/712 is which vial size was not confirmed",
        ),
        # DailyMed listing of MYOBLOC (Solstice Neurosciences, set 675cb354…): NDC 10454-710-10,
        # 10454-711-10, 10454-712-10.
        ndc_labeler="10454",
        ndc_labeler_name="Solstice Neurosciences",
        ndc_products=(("0710", None), ("0711", None), ("0712", None)),
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
        # Revance Therapeutics' labeler code; the product codes were not confirmed.
        ndc_labeler="70428",
        ndc_labeler_name="Revance",
        verify_notes=("NDC labeler 70428 and product codes not confirmed from a label",),
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


# --- National Drug Code ---------------------------------------------------------------------------------
# A 10-digit NDC is printed as labeler-product-package in one of three shapes (4-4-2, 5-3-2, 5-4-1); billing
# uses the 11-digit 5-4-2 form, made by zero-padding the short segment (FDA; CMS billing guidance).
_NDC_SHAPES = {(4, 4, 2), (5, 3, 2), (5, 4, 1), (5, 4, 2)}
NDC_FORMAT_HELP = (
    "Enter the NDC as printed on the carton: 10 digits in three groups (4-4-2, 5-3-2 or 5-4-1, "
    "e.g. 0023-1145-01) or the 11-digit billing form 5-4-2 (e.g. 00023-1145-01)."
)


@dataclass(frozen=True)
class NdcCheck:
    """Whether an NDC belongs to a product (and vial size); ``ndc11`` is the 5-4-2 billing form."""

    ok: bool
    ndc11: str | None
    reasons: tuple[str, ...]


def ndc11(ndc: str) -> str | None:
    """The 11-digit 5-4-2 form (``00023-1145-01``) of a printed NDC, or None if it is not one."""
    text = ndc.strip() if isinstance(ndc, str) else ""
    if re.fullmatch(r"[0-9]{11}", text):
        parts = [text[:5], text[5:9], text[9:]]
    elif re.fullmatch(r"[0-9]+-[0-9]+-[0-9]+", text):
        parts = text.split("-")
        if tuple(len(p) for p in parts) not in _NDC_SHAPES:
            return None
    else:
        return None
    return f"{parts[0].zfill(5)}-{parts[1].zfill(4)}-{parts[2].zfill(2)}"


def check_ndc(product_key: str, ndc: str, size_units: int | None = None) -> NdcCheck:
    """Is ``ndc`` this product's (labeler and product code), and the ``size_units`` U vial where the
    product code's size is known? The reasons name the product the code belongs to when it is another's."""
    p = get(product_key)
    norm = ndc11(ndc)
    if norm is None:
        return NdcCheck(False, None, (NDC_FORMAT_HELP,))
    labeler, code, _ = norm.split("-")
    if p.ndc_labeler and labeler != p.ndc_labeler.zfill(5):
        owner = next(
            (o for o in PRODUCTS.values() if o.ndc_labeler and o.ndc_labeler.zfill(5) == labeler), None
        )
        whose = f", {owner.ndc_labeler_name}'s code for {owner.brand}" if owner else ""
        return NdcCheck(
            False,
            norm,
            (
                f"NDC {ndc.strip()} has labeler code {labeler.lstrip('0').zfill(4)}{whose}; {p.brand} is "
                f"labelled by {p.ndc_labeler_name} ({p.ndc_labeler}). "
                "Check the carton and the product chosen.",
            ),
        )
    codes = dict(p.ndc_products)
    if codes and code not in codes:
        known = ", ".join(f"{c} = {u} U" if u else c for c, u in p.ndc_products)
        return NdcCheck(
            False,
            norm,
            (f"NDC {ndc.strip()} has product code {code}, which is not {p.brand}'s; its codes are {known}.",),
        )
    size = codes.get(code)
    if size is not None and size_units is not None and size != size_units:
        return NdcCheck(
            False,
            norm,
            (f"NDC {ndc.strip()} is the {size} U {p.brand} vial, not {size_units} U; check the carton.",),
        )
    return NdcCheck(True, norm, ())
