"""The version of each read model pacflow keeps, in a module that imports nothing.

A version bump rebuilds the read model (see `projections.engine`). Kept apart from the
projectors so that a command can tell whether the read models are up to date without
importing them (and SQLAlchemy with them).
"""

PLANS_VERSION = 4
"""4: compressed snapshots, thinned out on growing streams; idempotent windows."""
INDICATOR_FACTS_VERSION = 2
"""2: rows written in windows, skipped when already there."""
