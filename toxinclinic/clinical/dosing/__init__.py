"""Session dose checking (clinical reference §3–§6).

Every figure is in the session product's own units (U). Units are never converted or added across
products: the cumulative check sums the *same* product only, and another product given recently is a
warning that names both products and dates.

Severity of each rule (``DosePolicy`` holds every configurable value):

* ``session_max`` — hard stop. Protocol maximum: PREEMPT 155 U, PREEMPT follow-the-pain 195 U; Botox for
  chronic migraine without a stated protocol 195 U (configurable).
* ``cumulative_3_month`` — hard stop when the same product exceeds its limit (Botox 400 U) in any rolling
  window containing this session (90 days by default, or 3 calendar months).
* ``product_indication`` — hard stop when the product is not approved for the indication.
* ``vial_balance`` — hard stop when more units were given than the vials held; warning when administered +
  discarded does not equal the units in the vials, or discarded units were not recorded.
* ``site_limit`` (> 50 U per site, Botox), ``scm_limit`` (> 100 U sternocleidomastoid total, Botox),
  ``min_interval`` (< 84 days since any toxin session), ``muscle_limit`` — warnings by default, each
  configurable to a hard stop. Per-muscle limits stay warnings by default because the published
  cervical-dystonia ranges are marked *verify* in the reference and the label sets none; the session and
  cumulative limits are the hard backstops.
* ``other_product_recent``, ``protocol_deviation``, ``dilution``, ``label_dose`` — warnings.

A hard stop can be overridden by the prescriber with a reason (``overrides={rule: reason}``); it is then
reported in ``overridden`` and no longer blocks ``ok``.

The engine is three modules: ``session`` (the inputs and outputs), ``check`` (``check_session``) and
``templates`` (a session against its protocol template); this package names their public API.
"""

from __future__ import annotations

from .check import check_session
from .session import (
    CUMULATIVE_WINDOWS,
    HARD_STOP,
    INFO,
    RULE_LABELS,
    RULES,
    WARNING,
    DoseCheck,
    DosePolicy,
    Finding,
    Injection,
    Session,
    Vial,
    diluent_ml_for,
)
from .templates import session_from_protocol, site_name

__all__ = [
    "CUMULATIVE_WINDOWS",
    "HARD_STOP",
    "INFO",
    "RULES",
    "RULE_LABELS",
    "WARNING",
    "DoseCheck",
    "DosePolicy",
    "Finding",
    "Injection",
    "Session",
    "Vial",
    "check_session",
    "diluent_ml_for",
    "session_from_protocol",
    "site_name",
]
