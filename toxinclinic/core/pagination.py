"""Page-number pagination for the API's list operations, with ``page`` bounded (each app's ``api.py``
uses it; it lives in core so that apps do not import the front door).

ninja's own ``PageNumberPagination`` accepts any ``page``: a huge one overflows the database's OFFSET
(SQLite: "datatype mismatch") and answers 500. Here it is a 422 naming the field and the limit.
"""
# No "from __future__ import annotations": ninja reads the annotations at import time.

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

#: With at most 100 items a page this reaches a billion rows, far below any OFFSET limit.
MAX_PAGE = 10_000_000


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)
