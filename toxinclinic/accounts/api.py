from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

API_PREFIX = "/"
router = Router(tags=["accounts"])


class MeOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    username: str
    role: str
    display_name: str
    clinic: str | None = None
    is_prescriber: bool

    @staticmethod
    def resolve_clinic(obj: Any) -> str | None:
        return obj.clinic.name if obj.clinic_id else None


@router.get("/me", response=MeOut, summary="Who am I (role and clinic)")
def me(request: HttpRequest) -> Any:
    return request.user
