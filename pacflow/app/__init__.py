"""pacflow's application layer: one composition root and the queries every front end calls.

    App                      the store, read models, clock and ids (`pacflow.app.root`)
    moments                  moments typed by users, read in the plan's zone
    plans                    plan now / as of / history / diff / revisions
    piloting                 dashboard, check, indicator history, report, calendar file
    changes                  commands run for an actor, outcomes as data
    words                    errors put into words (en/fr)

The CLI (`pacflow.cli`) and the web server parse input, call these, and format what they
return; neither assembles a read or a write of its own.
"""

from __future__ import annotations

from pacflow.app.root import App, CatchUp, data_file, default_db_url, quiet_catch_up

__all__ = ["App", "CatchUp", "data_file", "default_db_url", "quiet_catch_up"]
