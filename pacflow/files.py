"""Writing a file whole or not at all, only over a file: what a command produces (`-o FILE`),
and what pacflow keeps in the user's cache (`pacflow.holiday_cache`).

Every `-o` goes through `write_atomically`: the content is written to a temporary file next
to the destination, flushed to disk, then renamed over it. A failure (a full disk, an
interrupted run, an error while rendering) leaves the previous file as it was and no partial
file behind. The destination must be a regular file or a new path: renaming over a device
node, a pipe or a socket would replace it (as root, `-o /dev/null` would turn the system's
null device into a plain file), so those are refused. A symbolic link is followed: the file
it points at is replaced, the link stays.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from pacflow.errors import InvalidInputError


def write_atomically(path: Path, content: str | bytes, what: str) -> None:
    """Write `content` (`what`, for messages: "the report") to `path`, atomically; text is
    written as UTF-8."""
    where = f"cannot write {what} to {path}"
    target = Path(os.path.realpath(path))
    try:
        previous = os.stat(target)
    except FileNotFoundError:
        previous = None
    except OSError as error:
        raise InvalidInputError(f"{where}: {error.strerror or error}") from None
    if previous is not None and stat.S_ISDIR(previous.st_mode):
        raise InvalidInputError(f"{where}: it is a directory")
    if previous is not None and not stat.S_ISREG(previous.st_mode):
        raise InvalidInputError(
            f"{where}: it is not a regular file (a device, a pipe or a socket); "
            "give the path of a file"
        )
    if not target.parent.is_dir():
        raise InvalidInputError(f"{where}: directory {path.parent} does not exist")
    data = content.encode("utf-8") if isinstance(content, str) else content
    temporary = target.parent / f".{target.name}.{secrets.token_hex(4)}.part"
    try:
        with temporary.open("xb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if previous is not None:
            os.chmod(temporary, stat.S_IMODE(previous.st_mode))  # keep who may read it
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise InvalidInputError(f"{where}: {error.strerror or error}") from error
