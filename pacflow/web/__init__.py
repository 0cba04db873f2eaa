"""`pacflow serve`: the plan for the whole team, over HTTP.

A second front end over the application layer (`pacflow.app`), like the CLI: pages
rendered by the report and dashboard renderers, calendar feeds that are the bytes `export
ics` writes, a JSON API with the shapes of `--json`, and forms through which a rep reports
a visit from their phone. Every request is authorised by a token handed out with
`pacflow access grant`; see docs/serve.md.
"""

from pacflow.web.server import create_app

__all__ = ["create_app"]
