"""Names a package offers, imported from their own modules on first use.

A package's `__init__` that imports all it re-exports makes every command pay for the
heaviest of them (the domain's command models, the report builder) even when it needs one
light name. `lazy_exports` gives the package a module `__getattr__` instead.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package` that imports each name of `homes` from its
    module (`{"PlanState": "state"}`: `package.state`) when first asked for, then keeps it
    in the package, so the next use is a plain attribute."""

    def exported(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return exported
