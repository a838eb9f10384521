"""The API's schema base: ninja's Schema with the shared input rule (:mod:`toxinclinic.core.inputs`), so
every request body refuses other scripts' digits in numbers and numbers in dates the same way; and the one
error shape every error response has, for the operations' own ``response=`` declarations."""

from __future__ import annotations

from typing import Any

from ninja import Schema as NinjaSchema

from toxinclinic.core.inputs import CheckedInput


class Schema(NinjaSchema, CheckedInput):
    pass


class FieldProblem(NinjaSchema):
    loc: list[str | int]
    msg: str
    type: str


class Error(NinjaSchema):
    """What every error answer is (the API's exception handlers): ``detail`` says what to do."""

    detail: str | list[FieldProblem]
    current_version: int | None = None


def errors(*statuses: int) -> dict[int, Any]:
    """The error statuses an operation answers beyond those every operation of its shape documents (the
    API adds 401 and 403 to every operation, 422 where it has parameters or a body, 400 where it has a
    body, 404 where it names a record; ``toxinclinic.api.openapi``), e.g.
    ``response={200: Out, **errors(409)}``."""
    return {status: Error for status in statuses}
