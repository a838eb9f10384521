"""The project's two error shapes, raised by services and turned into responses by the front doors.

``FieldError`` is bad input (which field, what limit, what to do): nothing was stored; HTML views show
it on the form (400), the API answers 422 with ninja's own body ``[{loc, msg, type}]``.
``Conflict`` is a stale write: somebody else saved the record after the caller loaded it (409).

Every workflow raises these two; none defines its own (the diary, safety, outcomes and API once had four
identical field-error classes).
"""

from __future__ import annotations

from typing import Any


class FieldError(Exception):
    """Per-field errors ``{field: [message, …]}``; ``"__all__"`` for errors about the whole input."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors

    @classmethod
    def from_form(cls, form: Any) -> FieldError:
        """From a bound, invalid Django form."""
        return cls({k: [str(m) for m in v] for k, v in form.errors.items()})

    @classmethod
    def one(cls, field: str, message: str) -> FieldError:
        return cls({field: [message]})

    def as_list(self) -> list[dict[str, Any]]:
        """The API's 422 body, shaped like ninja's own validation errors."""
        return [
            {"loc": ["body", field if field != "__all__" else "payload"], "msg": msg, "type": "value_error"}
            for field, msgs in self.errors.items()
            for msg in msgs
        ]


class Conflict(Exception):
    """Somebody else saved this record after the caller loaded it (``current_version`` is theirs)."""

    def __init__(self, current_version: int, message: str | None = None) -> None:
        super().__init__(
            message
            or f"This record was changed by someone else (now version {current_version}). "
            "Reload it, check their change, and apply yours again."
        )
        self.current_version = current_version
