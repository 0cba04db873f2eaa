"""Rows written through the driver read back through SQLAlchemy as they were given, dates
and times included (converted once per distinct value on SQLite)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from projections import rows as rows_module
from projections.rows import RowWriter

metadata = sa.MetaData()
moments = sa.Table(
    "moments",
    metadata,
    sa.Column("key", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=True),
    sa.Column("on", sa.Date, nullable=True),
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize("memo_size", [4096, 2])
def test_dates_and_times_read_back_as_written_even_equal_instants_in_other_zones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memo_size: int
) -> None:
    monkeypatch.setattr(rows_module, "MEMO_SIZE", memo_size)  # 2: the memo is cleared often
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'rows.db'}")
    metadata.create_all(engine)
    paris_ten = datetime(2025, 3, 11, 10, 0, tzinfo=PARIS)
    same_instant_in_utc = paris_ten.astimezone(UTC)  # equal to paris_ten, 09:00 on the wall
    given: list[dict[str, Any]] = [
        {"key": 1, "at": paris_ten, "on": date(2025, 3, 11)},
        {"key": 2, "at": same_instant_in_utc, "on": date(2025, 3, 11)},
        {"key": 3, "at": datetime(2025, 10, 26, 2, 30, fold=1), "on": None},
        {"key": 4, "at": None, "on": date(2025, 3, 12)},
        *(
            {"key": 5 + n, "at": paris_ten + timedelta(hours=n), "on": date(2025, 4, 1 + n % 3)}
            for n in range(10)
        ),
    ]
    assert paris_ten == same_instant_in_utc
    with engine.begin() as connection:
        RowWriter(connection).insert(moments, given)
    with engine.connect() as connection:
        stored = {row.key: (row.at, row.on) for row in connection.execute(sa.select(moments))}
    # SQLAlchemy's SQLite DateTime keeps the wall time, without its offset.
    expected = {
        row["key"]: (None if row["at"] is None else row["at"].replace(tzinfo=None), row["on"])
        for row in given
    }
    assert stored == expected
    assert stored[1][0] == datetime(2025, 3, 11, 10, 0)
    assert stored[2][0] == datetime(2025, 3, 11, 9, 0)
