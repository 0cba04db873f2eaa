"""A conversion that remembers its results, one object per distinct value.

A long plan repeats a few thousand dates, times, durations and names hundreds of thousands
of times: made (or kept) once each, they cost their parsing and their memory once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SIZE = 4096
"""Results kept by default; past that the memory starts afresh (a bound, not a cache
policy: the values that repeat come back within a few thousand)."""


def remembering(
    convert: Callable[[Any], Any], *, key: Callable[[Any], Any] | None = None, size: int = SIZE
) -> Callable[[Any], Any]:
    """`convert` (None stays None), remembering the results for its last `size` distinct
    arguments, told apart by `key` (the argument itself by default): key by what equality
    ignores when it matters (a zone, the fold of a repeated wall time)."""
    memo: dict[Any, Any] = {}

    def converted(value: Any) -> Any:
        if value is None:
            return None
        known = value if key is None else key(value)
        found = memo.get(known)
        if found is None:
            if len(memo) >= size:
                memo.clear()
            found = memo[known] = convert(value)
        return found

    return converted
