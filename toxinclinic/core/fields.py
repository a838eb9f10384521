"""Request-schema constraints taken from the Django form an operation validates with.

Several operations validate their body with the HTML screen's form (one set of rules). Their schemas then
declare what that form accepts — its choices as an enum, a required text as non-blank, its length limit —
so a generated client sends what the server takes. A hand-written schema declares its own (``Literal``,
``Field(ge=…, max_length=…)``).
"""
# No "from __future__ import annotations": the types built here are used by ninja at import time.

from typing import Annotated, Any, Literal

from django import forms
from ninja import Field
from pydantic import WithJsonSchema

#: A required text, documented: the server's form refuses a blank one in its own words ("This field is
#: required."), so pydantic does not check it first.
#: Text with at least one character that is not white space or NUL (the forms strip text).
NOT_BLANK_TEXT = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
REQUIRED_TEXT = {"minLength": 1, "pattern": NOT_BLANK_TEXT}


def one_of(values: Any) -> Any:
    """``Literal[...]`` of ``values`` (a documented enum)."""
    return Literal[tuple(values)]  # type: ignore[valid-type]


def checked_enum(values: Any, type_: type = str) -> Any:
    """A value the server checks itself, with its own specific message (e.g. "Botox comes in 50, 100,
    200 U vials, not 150 U"): the document lists the values it accepts, pydantic leaves the check to it."""
    json_type = "integer" if type_ is int else "string"
    return Annotated[type_, WithJsonSchema({"type": json_type, "enum": list(values)})]


def form_choices(field: forms.Field) -> tuple[str, ...]:
    return tuple(str(v) for v, _label in field.choices if v != "" or not field.required)  # type: ignore[attr-defined]


def form_field_types(form: type[forms.BaseForm], names: list[str], *, optional: bool = False) -> list[Any]:
    """``custom_fields`` for ``ninja.orm.create_schema``: the form's choice fields as enums and its text
    fields with their limits. ``optional``: every field may be left out (a PATCH)."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    out: list[Any] = []
    for name in names:
        field = form.base_fields[name]  # type: ignore[attr-defined]
        model_field = model._meta.get_field(name) if model is not None else None
        kw: dict[str, Any] = {}
        if isinstance(field, forms.ChoiceField):
            typ: Any = one_of(form_choices(field))
        elif isinstance(field, forms.CharField):
            typ = str
            if field.max_length is not None:
                kw["max_length"] = field.max_length
            if field.required:
                kw["json_schema_extra"] = REQUIRED_TEXT
        else:
            continue
        if optional:
            out.append((name, typ | None, Field(None, **kw)))
        elif model_field is not None and model_field.has_default():
            # Left out, the model's default is stored (as the API did before it declared the choices).
            out.append((name, typ, Field(model_field.get_default(), **kw)))
        elif field.required:
            out.append((name, typ, Field(..., **kw)))
        else:
            initial = field.initial if field.initial is not None else ""
            out.append((name, typ, Field(initial, **kw)))
    return out


def model_choices(model: Any, name: str, *, exclude: tuple[str, ...] = ()) -> Any:
    """:func:`checked_enum` of a model field's stored choice values ("" too when it may be blank): for
    hand-written schemas whose operation checks the value in its service or form."""
    field = model._meta.get_field(name)
    values = [str(v) for v, _label in field.flatchoices if str(v) not in exclude]
    if field.blank and "" not in values and "" not in exclude:
        values.insert(0, "")
    return checked_enum(values)
