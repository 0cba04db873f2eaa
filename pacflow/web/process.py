"""The application each worker process of `pacflow serve --workers N` builds for itself
(uvicorn imports this module in every process): its store from PACFLOW_DB."""

from __future__ import annotations

import os

from fastapi import FastAPI


def application() -> FastAPI:
    """A fresh `App` over the store named by PACFLOW_DB, served."""
    from pacflow.app.root import App
    from pacflow.web.server import create_app

    return create_app(
        App(os.environ.get("PACFLOW_DB")), public_url=os.environ.get("PACFLOW_SERVER_URL")
    )
