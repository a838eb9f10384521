"""The API's schema base: ninja's Schema with the shared input rule (:mod:`toxinclinic.core.inputs`), so
every request body refuses other scripts' digits in numbers and numbers in dates the same way."""

from __future__ import annotations

from ninja import Schema as NinjaSchema

from toxinclinic.core.inputs import CheckedInput


class Schema(NinjaSchema, CheckedInput):
    pass
