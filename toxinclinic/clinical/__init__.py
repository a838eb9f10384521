"""Toxin Clinic clinical rules engine: pure Python (plus numpy), no Django.

Toxin units are product-specific ("U" of that product): the engine never converts or adds units across
products. See README.md in this package for the API and every configurable policy value.
"""

from . import (
    aftercare,
    anatomy,
    banner,
    billing,
    diary,
    dosing,
    eligibility,
    products,
    protocols,
    recall,
    scales,
    screening,
    triage,
)

__all__ = [
    "aftercare",
    "anatomy",
    "banner",
    "billing",
    "diary",
    "dosing",
    "eligibility",
    "products",
    "protocols",
    "recall",
    "scales",
    "screening",
    "triage",
]
