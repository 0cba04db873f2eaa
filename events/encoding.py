"""Canonical JSON for payloads and the SHA-256 hash chain over stored events.

A payload is stored as the exact text `encode_json` produced, so the hash can be recomputed
from the stored columns alone, on any backend, without re-serialising anything.

    hash(n) = sha256( hash(n-1) "\\n" [position,stream,version,id,type,schema,data,metadata,at] )

with hash(0) = 64 zeros, the list written as compact JSON where `data` and `metadata` are
their stored canonical texts.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

GENESIS_HASH = "0" * 64

_encoder = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
)


def encode_json(what: str, value: Mapping[str, Any]) -> str:
    """Canonical JSON text of a JSON object; a clear error for anything else."""
    if not isinstance(value, Mapping):
        raise TypeError(f"event {what} must be a JSON object (a dict), got {type(value).__name__}")
    _check_keys(what, value)
    try:
        text = _encoder.encode(value)
        text.encode("utf-8")
    except (TypeError, ValueError) as error:
        raise TypeError(f"event {what} is not plain JSON: {error}") from error
    return text


_CONTAINERS = frozenset({dict, list, tuple})
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _check_keys(what: str, value: Mapping[str, Any]) -> None:
    """JSON would silently turn 1, True or None keys into strings: refuse them instead.

    Type sets are built at C speed, so flat payloads cost almost nothing to check.
    """
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        if type(item) is dict or (type(item) not in _CONTAINERS and isinstance(item, Mapping)):
            if set(map(type, item)) != {str}:
                for key in item:
                    if not isinstance(key, str):
                        raise TypeError(
                            f"event {what} is not plain JSON: key {key!r} is "
                            f"{type(key).__name__}, not a string"
                        )
            inner: Any = item.values()
        else:
            inner = item
        kinds = set(map(type, inner))
        if not kinds <= _SCALARS:
            pending.extend(
                v
                for v in inner
                if type(v) in _CONTAINERS or (type(v) not in _SCALARS and isinstance(v, Mapping))
            )


def chain_hash(
    previous_hash: str,
    position: int,
    stream_id: str,
    stream_version: int,
    event_id: uuid.UUID | str,
    event_type: str,
    schema_version: int,
    data_json: str,
    metadata_json: str,
    recorded_at: str,
) -> str:
    """The hash of one event, given the hash of the one before it."""
    head = _encoder.encode(
        [position, stream_id, stream_version, str(event_id), event_type, schema_version]
    )
    stamp = _encoder.encode(recorded_at)
    text = f"{previous_hash}\n{head[:-1]},{data_json},{metadata_json},{stamp}]"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
