from __future__ import annotations

from typing import Any

from django.forms import Form


class FieldError(Exception):
    """Per-field validation errors, rendered like ninja's own 422 body: ``[{loc, msg, type}]``."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors

    @classmethod
    def from_form(cls, form: Form) -> FieldError:
        return cls({k: [str(m) for m in v] for k, v in form.errors.items()})

    def as_list(self) -> list[dict[str, Any]]:
        return [
            {"loc": ["body", field if field != "__all__" else "payload"], "msg": msg, "type": "value_error"}
            for field, msgs in self.errors.items()
            for msg in msgs
        ]
