"""`pacflow --help` must not import the heavy parts (SQLAlchemy, pydantic, the domain)."""

from __future__ import annotations

import subprocess
import sys


def test_help_imports_no_heavy_module() -> None:
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from pacflow.cli import main\n"
        "assert CliRunner().invoke(main, ['--help']).exit_code == 0\n"
        "heavy = [m for m in ('sqlalchemy', 'pydantic', 'pacflow.domain', 'alembic', 'yaml')\n"
        "         if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"pacflow --help imports {result.stdout.strip()}"
