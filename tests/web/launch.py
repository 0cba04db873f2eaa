"""Run `pacflow serve`'s application for a test, in a process of its own, with the clock
set to a moment of the plan's year (the clock then runs at the real pace from there).

    python -m tests.web.launch --db URL --port PORT --now 2025-06-10T07:00:00+00:00
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta


def shifted_clock(now: datetime) -> Callable[[], datetime]:
    """A clock that reads `now` at once and runs on from it."""
    began = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - began)

    return clock


def main() -> None:
    import uvicorn

    from pacflow.app.root import App
    from pacflow.web import create_app

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--now", required=True, type=datetime.fromisoformat)
    arguments = parser.parse_args()
    logging.basicConfig(level="INFO", format="%(name)s %(message)s")
    app = App(arguments.db, clock=shifted_clock(arguments.now))
    uvicorn.run(
        create_app(app),
        host="127.0.0.1",
        port=arguments.port,
        access_log=False,
        log_level="info",
    )


if __name__ == "__main__":
    main()
