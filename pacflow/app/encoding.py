"""JSON as every front end writes it: instants in UTC with `Z`, decimals and ids as text."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID


def json_default(value: object) -> Any:
    """What `json.dumps` cannot encode by itself, encoded the pacflow way."""
    if isinstance(value, datetime | date):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, UUID | Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(value: object, *, indent: int | None = 2) -> str:
    """Stable JSON (UTF-8 kept readable), pretty by default."""
    return json.dumps(value, default=json_default, ensure_ascii=False, indent=indent)
