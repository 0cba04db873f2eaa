"""Print the OpenAPI document of the JSON API (what docs/openapi.json holds):

python -m pacflow.web.openapi > docs/openapi.json
"""

from __future__ import annotations

import json


def document() -> dict[str, object]:
    from pacflow.app.root import App
    from pacflow.web.server import create_app

    schema: dict[str, object] = create_app(App("sqlite://")).openapi()
    return schema


if __name__ == "__main__":
    print(json.dumps(document(), indent=2, ensure_ascii=False))
