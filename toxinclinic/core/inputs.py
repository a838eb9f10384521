"""One rule for what a number and a date look like when a person or a client types them.

Python reads digits of every script as numbers (``int("٣") == 3``, ``Decimal("１２") == 12``, and
``strptime`` takes ``"٢٠٢٥-٠١-٠٢"``), so "٣" typed into a dose or a count was stored as 3 without the
person seeing what was understood. The clinic's numbers are written with the digits 0-9, so any other
digit is refused with a message that shows the character. In the other direction, pydantic reads a JSON
number as a date (``"date_of_birth": 0`` became 1 Jan 1970): a date is text, ``YYYY-MM-DD``.

Where the rule applies:
- every Django form field that reads a number, a date or a time (:func:`install_form_rule`, run once from
  ``CoreConfig.ready`` so that ModelForms, hand-written forms and the admin all get it);
- every API schema built on :class:`CheckedInput` (``toxinclinic.core.schemas.Schema`` is ninja's Schema
  with it), for the fields annotated as numbers, dates or date-times;
- hand-parsed values (a hidden version, a stock count): :func:`ascii_int`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import types
import typing
import unicodedata
from functools import wraps
from typing import Any, Literal

from pydantic import BaseModel, ValidationError, ValidationInfo, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

Kind = Literal["number", "date", "datetime", "time"]

_NUMBER_TEXT = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def other_script_digit(text: str) -> str | None:
    """The first character that reads as a digit or number but is not one of 0-9, else None."""
    for ch in text:
        if not ch.isascii() and (ch.isdigit() or ch.isnumeric()):
            return ch
    return None


def other_digit_message(ch: str) -> str:
    name = unicodedata.name(ch, "").lower()
    what = f" ({name})" if name else ""
    return f"Write numbers with the digits 0-9: “{ch}”{what} is a digit of another script."


def ascii_int(text: str) -> int:
    """``int(text)`` for an optionally signed run of the digits 0-9 only; ValueError otherwise."""
    stripped = text.strip()
    if not stripped.lstrip("+-").isascii() or not stripped.lstrip("+-").isdigit():
        raise ValueError(f"not a whole number written with 0-9: {text!r}")
    return int(stripped)


# --- forms ---------------------------------------------------------------------------------------------


def install_form_rule() -> None:
    """Make Django's number, date and time form fields refuse digits of other scripts (idempotent)."""
    from django import forms
    from django.core.exceptions import ValidationError

    for cls in (
        forms.IntegerField,
        forms.FloatField,
        forms.DecimalField,
        forms.DateField,
        forms.DateTimeField,
        forms.TimeField,
        forms.DurationField,
    ):
        original = cls.__dict__["to_python"]
        if getattr(original, "_ascii_digits_only", False):
            continue

        def checked(self: Any, value: Any, _original: Any = original) -> Any:
            if isinstance(value, str) and (ch := other_script_digit(value)):
                raise ValidationError(other_digit_message(ch), code="other_script_digit")
            return _original(self, value)

        checked = wraps(original)(checked)
        checked._ascii_digits_only = True  # type: ignore[attr-defined]
        cls.to_python = checked  # type: ignore[method-assign]


# --- API schemas ---------------------------------------------------------------------------------------

_FIELDS: dict[type, list[tuple[str, Kind, bool]]] = {}


def _kind_of(annotation: Any) -> tuple[Kind | None, bool]:
    """(what the annotation reads, whether it is a list of them)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kind_of(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if any(a in (bool, str) for a in args):
            return None, False  # "true" or text is a valid answer there
        found = [_kind_of(a) for a in args]
        return found[0] if len(set(found)) == 1 else (None, False)
    if origin in (list, tuple, set, frozenset):
        args = typing.get_args(annotation)
        inner, nested = _kind_of(args[0]) if args else (None, False)
        return (inner, True) if inner and not nested else (None, False)
    if annotation is bool:
        return None, False
    if annotation in (int, float, decimal.Decimal):
        return "number", False
    if annotation is dt.datetime:
        return "datetime", False
    if annotation is dt.date:
        return "date", False
    if annotation is dt.time:
        return "time", False
    return None, False


def check_value(kind: Kind, value: Any) -> str | None:
    """The message for a value a field of this kind must not accept, else None."""
    if kind == "number":
        if isinstance(value, bool):
            return "Give a number, not true or false."
        if isinstance(value, str) and (ch := other_script_digit(value)):
            return other_digit_message(ch)
        return None
    if isinstance(value, str) and (ch := other_script_digit(value)):
        return other_digit_message(ch)
    if isinstance(value, bool | int | float | decimal.Decimal) or (
        isinstance(value, str) and _NUMBER_TEXT.fullmatch(value)
    ):
        if kind == "date":
            return "Give the date as text, YYYY-MM-DD (e.g. 1985-03-14), not a number."
        if kind == "datetime":
            return "Give the date and time as text, YYYY-MM-DDTHH:MM (ISO 8601), not a number."
        return "Give the time as text, HH:MM, not a number."
    return None


def _checked_fields(cls: type[BaseModel]) -> list[tuple[str, Kind, bool]]:
    found = _FIELDS.get(cls)
    if found is None:
        found = []
        for name, field in cls.model_fields.items():
            kind, many = _kind_of(field.annotation)
            if kind is not None:
                keys = {name, field.alias, field.validation_alias}
                found += [(k, kind, many) for k in keys if isinstance(k, str)]
        _FIELDS[cls] = found
    return found


class CheckedInput(BaseModel):
    """Numbers refuse other scripts' digits and true/false; dates and times refuse numbers. One check per
    body (not per field), and none for responses, which ninja validates with the status in the context."""

    @model_validator(mode="before")
    @classmethod
    def _digits_and_dates(cls, data: Any, info: ValidationInfo) -> Any:
        if info.context and "response_status" in info.context:
            return data
        raw = getattr(data, "_obj", data)  # ninja hands its Schema a DjangoGetter around the dict
        if not isinstance(raw, dict):
            return data
        errors: list[InitErrorDetails] = []
        for key, kind, many in _checked_fields(cls):
            value = raw.get(key)
            if value is None:
                continue
            for item in value if many and isinstance(value, list | tuple) else [value]:
                if msg := check_value(kind, item):
                    err = PydanticCustomError("value_error", msg)  # type: ignore[arg-type]
                    errors.append(InitErrorDetails(type=err, loc=(key,), input=value))
                    break
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return data
