"""The PostgreSQL role setup of docs/integrity.md: the application cannot undo its triggers.

Run on the test server as written in the docs: a migration role owns the schema, pacflow
runs as an application role that may append and read, and build its read models, but not
edit events nor drop or disable the triggers that refuse it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from events import EventStore
from events.anchors import CheckpointKeys
from pacflow.cli import main
from tests.conftest import libpq_conninfo, postgres_url_in_schema
from tests.store.support import numbered

pytestmark = pytest.mark.postgres


@dataclass
class Roles:
    schema: str
    owner: str
    app: str
    base: sa.URL

    def url(self, role: str) -> str:
        return postgres_url_in_schema(self.base.set(username=role, password=None), self.schema)


def _admin(base: sa.URL, *statements: str) -> None:
    with psycopg.connect(libpq_conninfo(base), autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


@pytest.fixture
def roles(postgres_base_url: sa.URL) -> Iterator[Roles]:
    tag = secrets.token_hex(4)
    made = Roles(f"pacflow_roles_{tag}", f"pacflow_owner_{tag}", f"pacflow_app_{tag}",
                 postgres_base_url)  # fmt: skip
    _admin(
        postgres_base_url,
        f"CREATE ROLE {made.owner} LOGIN",
        f"CREATE ROLE {made.app} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB",
        f"CREATE SCHEMA {made.schema} AUTHORIZATION {made.owner}",
        f"GRANT USAGE, CREATE ON SCHEMA {made.schema} TO {made.app}",
    )
    try:
        yield made
    finally:
        _admin(
            postgres_base_url,
            f"DROP SCHEMA {made.schema} CASCADE",
            f"DROP OWNED BY {made.app}, {made.owner}",
            f"DROP ROLE {made.app}",
            f"DROP ROLE {made.owner}",
        )


def _as(roles: Roles, role: str, statement: str) -> str | None:
    """Run `statement` as `role`; the error's first line if refused, else None."""
    url = sa.make_url(roles.url(role))
    try:
        with psycopg.connect(libpq_conninfo(url), autocommit=True) as connection:
            connection.execute(statement)
    except psycopg.Error as error:
        return str(error).splitlines()[0]
    return None


def test_the_application_role_appends_and_reads_but_cannot_undo_the_triggers(
    roles: Roles, tmp_path: object
) -> None:
    EventStore.from_url(roles.url(roles.owner)).close()  # `pacflow init`, as the owner
    for grant in (
        f"GRANT SELECT, INSERT ON events, events_checkpoints TO {roles.app}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {roles.schema} TO {roles.app}",
        f"GRANT SELECT ON events_schema_version TO {roles.app}",
    ):
        assert _as(roles, roles.owner, grant) is None

    keys = CheckpointKeys([b"role-test-key-0123456789abcdef"])
    with EventStore.from_url(roles.url(roles.app), checkpoint_keys=keys) as store:
        store.append("s", numbered(3))
        assert store.verify().ok
    result = CliRunner().invoke(
        main,
        ["plan", "create", "PAC-2025", "--title", "Plan", "--start", "2025-01-01",
         "--end", "2025-12-31", "--timezone", "Europe/Paris", "--owner", "hg"],
        env={"PACFLOW_DB": roles.url(roles.app), "PACFLOW_ACTOR": "hg"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    listed = CliRunner().invoke(
        main, ["plan", "list", "--json"], env={"PACFLOW_DB": roles.url(roles.app)}
    )
    assert listed.exit_code == 0, listed.output
    assert "PAC-2025" in listed.stdout

    refusals = {
        statement: _as(roles, roles.app, statement)
        for statement in (
            "DELETE FROM events",
            "UPDATE events SET data = '{}'",
            "DELETE FROM events_checkpoints",
            "TRUNCATE events",
            "DROP TRIGGER events_append_only ON events",
            "ALTER TABLE events DISABLE TRIGGER ALL",
            "ALTER TABLE events_checkpoints DISABLE TRIGGER USER",
            "DROP TABLE events_checkpoints",
            "SET session_replication_role = replica",
        )
    }
    assert all(refusals.values()), refusals
    assert _as(roles, roles.owner, "SELECT count(*) FROM events") is None
