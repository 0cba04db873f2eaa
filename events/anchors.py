"""Signed checkpoints of the log's head: what makes a truncation or a rewrite detectable.

The hash chain proves that the events stored still agree with one another; it cannot tell
that the newest ones were deleted, that the chain was recomputed after an edit, or that an
event was appended by someone who computed its hash. A *checkpoint* closes that gap: the
head's position and hash, and when they were seen, signed with HMAC-SHA256 under a key
that is kept outside the database. Whoever can write the database but not read the key
can neither forge a checkpoint nor make the log agree with the checkpoints already made.

The store writes one checkpoint in the transaction of every append when it was given keys,
so the log is never ahead of its newest checkpoint. `verify` then checks that:

- every checkpoint's signature is right (one with a bad signature was forged or altered);
- no checkpoint vouches for a position past the head (events were deleted: truncation);
- the event at each checkpoint's position still has the hash signed (else the log was
  rewritten, somewhere after the last checkpoint that still matches);
- no event follows the newest checkpoint (else it was appended without the key).

Checkpoints are stored in the database (append-only, like the events) and can be exported
to a file that is archived elsewhere; checked against such a file, `verify` also catches
checkpoints deleted together with the events they vouch for.

Keys: the first key signs, every key verifies, each checkpoint names its key by an id
(a digest of the key, never the key): rotating a key is putting the new one first and
keeping the old ones after it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import field
from datetime import datetime

from events.clock import format_utc, parse_utc
from slotted import FrozenValue, frozen_record

MIN_KEY_LENGTH = 16
"""Characters (bytes) a key must have at least: a short key is guessed offline."""


@frozen_record
class Checkpoint(FrozenValue):
    """The log's head as seen at `signed_at`, signed with the key `key_id` names."""

    position: int
    hash: str
    signed_at: datetime
    key_id: str
    signature: str

    def as_json(self) -> dict[str, object]:
        return {
            "position": self.position,
            "hash": self.hash,
            "signed_at": format_utc(self.signed_at),
            "key_id": self.key_id,
            "signature": self.signature,
        }

    @classmethod
    def from_json(cls, data: object) -> Checkpoint:
        """A checkpoint from its JSON form (ValueError when it is not one)."""
        if not isinstance(data, dict):
            raise ValueError("a checkpoint is a JSON object")
        try:
            position = data["position"]
            if not isinstance(position, int) or isinstance(position, bool) or position < 0:
                raise ValueError("position must be an integer >= 0")
            texts = [data[name] for name in ("hash", "signed_at", "key_id", "signature")]
            if not all(isinstance(text, str) and len(text) <= 100 for text in texts):
                raise ValueError("hash, signed_at, key_id and signature must be short texts")
            return cls(position, texts[0], parse_utc(texts[1]), texts[2], texts[3])
        except KeyError as missing:
            raise ValueError(f"a checkpoint needs {missing}") from None


def _message(position: int, head_hash: str, signed_at: datetime, key_id: str) -> bytes:
    return f"pacflow-checkpoint|1|{position}|{head_hash}|{format_utc(signed_at)}|{key_id}".encode()


class CheckpointKeys:
    """The keys checkpoints are signed (the first) and verified (any) with."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("at least one checkpoint key is needed")
        for key in keys:
            if len(key) < MIN_KEY_LENGTH:
                raise ValueError(f"a checkpoint key needs at least {MIN_KEY_LENGTH} characters")
        self._keys = {key_id(key): key for key in keys}
        self.signing_id = key_id(keys[0])

    def __repr__(self) -> str:  # never the keys themselves
        return f"CheckpointKeys(ids={list(self._keys)})"

    @property
    def ids(self) -> list[str]:
        return list(self._keys)

    def sign(self, position: int, head_hash: str, signed_at: datetime) -> Checkpoint:
        key = self._keys[self.signing_id]
        message = _message(position, head_hash, signed_at, self.signing_id)
        signature = hmac.new(key, message, hashlib.sha256).hexdigest()
        return Checkpoint(position, head_hash, signed_at, self.signing_id, signature)

    def check(self, checkpoint: Checkpoint) -> bool | None:
        """Whether the signature is right; None when its key is not one of these."""
        key = self._keys.get(checkpoint.key_id)
        if key is None:
            return None
        message = _message(
            checkpoint.position, checkpoint.hash, checkpoint.signed_at, checkpoint.key_id
        )
        expected = hmac.new(key, message, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, checkpoint.signature)


def key_id(key: bytes) -> str:
    """A short public name for a key (a digest: it does not reveal the key)."""
    return hashlib.sha256(b"pacflow-checkpoint-key-id|" + key).hexdigest()[:12]


@frozen_record
class AnchorReport(FrozenValue):
    """What the checkpoints say about the log: `problems` empty when they all agree."""

    checked: int
    problems: list[str] = field(default_factory=list)
    unknown_keys: list[str] = field(default_factory=list)
    """Ids of keys some checkpoints were signed with that are not configured."""
    first_divergent_position: int | None = None


def export_lines(checkpoints: Iterable[Checkpoint]) -> Iterable[str]:
    """The checkpoints as JSON lines (the export format `read_export` reads)."""
    for checkpoint in checkpoints:
        yield json.dumps(checkpoint.as_json(), sort_keys=True) + "\n"


def read_export(text: str, source: str) -> list[Checkpoint]:
    """Checkpoints from an export (ValueError naming the line when one cannot be read)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append(Checkpoint.from_json(json.loads(line)))
        except ValueError as error:
            raise ValueError(f"{source}:{number}: not a checkpoint ({error})") from None
    return found


def check_anchors(
    keys: CheckpointKeys,
    stored: Sequence[Checkpoint],
    archived: Sequence[Checkpoint],
    head: int,
    hash_at: dict[int, str],
) -> AnchorReport:
    """Compare the log (its `head` and the hashes at the checkpoints' positions) with the
    checkpoints stored in the database and those of archived exports."""
    problems: list[str] = []
    unknown: set[str] = set()
    valid: dict[tuple[int, str, str], Checkpoint] = {}
    for checkpoint in [*stored, *archived]:
        verdict = keys.check(checkpoint)
        if verdict is None:
            unknown.add(checkpoint.key_id)
        elif not verdict:
            problems.append(
                f"the checkpoint of position {checkpoint.position} (signed "
                f"{format_utc(checkpoint.signed_at)}) has a bad signature: it was forged "
                "or altered"
            )
        else:
            valid[(checkpoint.position, checkpoint.hash, checkpoint.signature)] = checkpoint
    kept = {(c.position, c.hash, c.signature) for c in stored}
    lost = [c for key, c in valid.items() if key not in kept]
    if lost:
        problems.append(
            f"{len(lost)} checkpoint(s) of the archive are missing from the store "
            "(deleted, with what they vouched for)"
        )
    ordered = sorted(valid.values(), key=lambda c: (c.position, c.signed_at))
    divergent: int | None = None
    past_head = [c for c in ordered if c.position > head]
    if past_head:
        newest = past_head[-1]
        problems.insert(
            0,
            f"events {head + 1}..{newest.position} were deleted (truncation): the log ends at "
            f"position {head}, but a checkpoint signed {format_utc(newest.signed_at)} "
            f"vouches for position {newest.position}",
        )
        divergent = head + 1
    matching: Checkpoint | None = None
    for checkpoint in ordered:
        if checkpoint.position > head:
            break
        if checkpoint.position == 0 or hash_at.get(checkpoint.position) == checkpoint.hash:
            matching = checkpoint
            continue
        since = matching.position if matching is not None else 0
        when = f" (signed {format_utc(matching.signed_at)})" if matching is not None else ""
        problems.insert(
            0,
            f"the log was rewritten: position {checkpoint.position} no longer has the hash "
            f"signed {format_utc(checkpoint.signed_at)}; the last checkpoint that still "
            f"matches is position {since}{when}, so events {since + 1}..{checkpoint.position} "
            "were changed",
        )
        divergent = since + 1
        break
    else:
        last = ordered[-1] if ordered else None
        anchored = last.position if last is not None else 0
        if last is None and head > 0:
            problems.append(
                f"no signed checkpoint vouches for the log's {head} events: they were "
                "deleted, or never made (after configuring a key, run "
                "`pacflow store checkpoint create` once)"
            )
        elif last is not None and not past_head and head > anchored:
            problems.append(
                f"events {anchored + 1}..{head} were appended after the last signed "
                f"checkpoint ({format_utc(last.signed_at)}): forged, or written by a "
                "pacflow without the checkpoint key"
            )
            divergent = anchored + 1
    return AnchorReport(len(valid), problems, sorted(unknown), divergent)
