"""Where pacflow finds the keys its log checkpoints are signed with (`events.anchors`).

The keys live outside the database, so that whoever can write the database cannot sign:

- `PACFLOW_CHECKPOINT_KEY`: one key, as text (at least 16 characters);
- `PACFLOW_CHECKPOINT_KEY_FILE`: a file of keys, one a line (blank lines and lines starting
  with `#` ignored).

The first key found (the variable's, then the file's first line) signs; all of them verify.
Rotating a key is putting the new one first and keeping the old ones after it, for as
long as the checkpoints they signed are checked (docs/integrity.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pacflow.errors import InvalidInputError

if TYPE_CHECKING:
    from events.anchors import CheckpointKeys

KEY_VARIABLE = "PACFLOW_CHECKPOINT_KEY"
KEY_FILE_VARIABLE = "PACFLOW_CHECKPOINT_KEY_FILE"
_MAX_KEY_FILE = 64 * 1024

CANNOT_DETECT = (
    "the deletion of the newest events",
    "a rewrite whose hash chain was recomputed",
    "an event appended with a valid hash",
)
"""What `store verify` cannot catch without a checkpoint key."""


def checkpoint_keys(environ: Mapping[str, str]) -> CheckpointKeys | None:
    """The configured keys, or None when neither variable is set."""
    from events.anchors import MIN_KEY_LENGTH, CheckpointKeys

    keys: list[bytes] = []
    single = environ.get(KEY_VARIABLE, "")
    if single:
        keys.append(single.strip().encode())
    path = environ.get(KEY_FILE_VARIABLE, "")
    if path:
        keys += _keys_in(Path(path))
    if not keys:
        return None
    for key in keys:
        if len(key) < MIN_KEY_LENGTH:
            where = KEY_VARIABLE if single and key == single.strip().encode() else path
            raise InvalidInputError(
                f"checkpoint key in {where}: shorter than {MIN_KEY_LENGTH} characters; "
                "use a long random key (e.g. `openssl rand -hex 32`)",
                subject=KEY_VARIABLE,
            )
    return CheckpointKeys(list(dict.fromkeys(keys)))


def _keys_in(path: Path) -> list[bytes]:
    try:
        if not path.is_file():
            raise OSError("not a regular file")
        if path.stat().st_size > _MAX_KEY_FILE:
            raise OSError("larger than 64 KiB")
        text = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise InvalidInputError(
            f"{KEY_FILE_VARIABLE}: cannot read {path} ({reason})", subject=KEY_FILE_VARIABLE
        ) from None
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith(b"#")]
