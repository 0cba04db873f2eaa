"""The read models' checkpoints table: made by its own Alembic migration, an older database
adopted with its checkpoints, a newer one refused."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from events import EventStore
from pacflow.cli import main
from pacflow.read_models import read_models
from projections import schema
from projections.versions import PLANS_VERSION
from tests.store.support import engine_of, part_version

# The table as `create_all` made it before there was a migration.
_OLD = sa.MetaData()
_OLD_CHECKPOINTS = sa.Table(
    "projection_checkpoints",
    _OLD,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("position", sa.BigInteger, nullable=False),
)


def _version(engine: sa.Engine) -> str | None:
    return part_version(engine, schema.MIGRATIONS)


def test_a_new_database_gets_the_checkpoints_table_at_first_use(sql_store_url: str) -> None:
    with EventStore.from_url(sql_store_url) as store:
        engine = engine_of(store)
        assert _version(engine) is None
        models = read_models(store)
        assert _version(engine) == schema.SCHEMA_HEAD
        assert {"projection_checkpoints", schema.VERSION_TABLE} <= set(
            sa.inspect(engine).get_table_names()
        )
        assert all(status.lag == 0 for status in models.status())


def test_a_checkpoints_table_create_all_made_is_adopted_with_its_rows(sql_store_url: str) -> None:
    with EventStore.from_url(sql_store_url) as store:
        engine = engine_of(store)
        _OLD.create_all(engine)
        with engine.begin() as connection:
            connection.execute(
                _OLD_CHECKPOINTS.insert().values(name="plans", version=PLANS_VERSION, position=0)
            )
        models = read_models(store)
        assert _version(engine) == schema.SCHEMA_HEAD
        plans = next(status for status in models.status() if status.name == "plans")
        assert (plans.stored_version, plans.checkpoint) == (PLANS_VERSION, 0)


def test_checkpoints_newer_than_this_code_are_refused_in_one_line(sql_store_url: str) -> None:
    with EventStore.from_url(sql_store_url) as store:
        engine = engine_of(store)
        read_models(store)
        with engine.begin() as connection:
            connection.execute(
                sa.text(f"UPDATE {schema.VERSION_TABLE} SET version_num = 'projections_9999'")
            )
        head = store.head_position()
    result = CliRunner().invoke(main, ["--db", sql_store_url, "projections", "status"])
    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines() == [
        "error: the read models' checkpoints are at schema projections_9999, newer than this "
        "pacflow knows (projections_0001): upgrade pacflow"
    ]
    with EventStore.from_url(sql_store_url) as store:
        assert store.head_position() == head
