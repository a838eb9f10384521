"""The current request's actor and origin, so deep service code can audit without plumbing."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RequestContext:
    user: Any = None
    ip: str | None = None
    request_id: str = ""


current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "toxinclinic_request_context",
    default=RequestContext(),  # noqa: B039 - frozen, shared on purpose
)
