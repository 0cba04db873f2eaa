"""The version of each read model pacflow keeps, in a module that imports nothing.

A version bump rebuilds the read model (see `projections.engine`). Kept apart from the
projectors so that a command can tell whether the read models are up to date without
importing them (and SQLAlchemy with them).
"""

PLANS_VERSION = 9
"""4: compressed snapshots, thinned out on growing streams; idempotent windows. 5: snapshots
hold who held each visit (Occurrence.held_by, held_with). 6: and the plan's diagnostic
(findings, decisions, targets' decisions) and public holidays. 7: rm_occurrences.start_fold
(the second of two repeated local times). 8: rm_plans.overdue_grace_days (`plan show` judges
late steps from the read model alone). 9: a step taken out of a draft rewrites the `seq` of
the steps after it (they kept their old place, and `plan show` could list them out of
order)."""
INDICATOR_FACTS_VERSION = 3
"""2: rows written in windows, skipped when already there. 3: corrections (a withdrawal row
repeats the fact it takes back), removals."""
STEP_EVENTS_VERSION = 1
"""1: the stream versions of each plan's events, by step (`projections.step_events`)."""
