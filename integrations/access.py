"""The secrets behind the links handed to people, kept outside the event log.

A link carries a token `<grant>-<secret>`: the grant's name (also recorded in the plan's log,
by `AccessGranted`) and 256 random bits. Only the SHA-256 of the secret is stored, in the
`access_grants` table of the store's database; a token is checked by looking its grant up
and comparing hashes in constant time. An unknown grant, a wrong secret and a revoked grant
all answer the same `None`, so a caller cannot tell them apart.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa

from integrations.schema import ensure_schema
from slotted import FrozenValue, frozen_record

metadata = sa.MetaData()

grants_table = sa.Table(
    "access_grants",
    metadata,
    sa.Column("grant_id", sa.String(40), primary_key=True),
    sa.Column("plan", sa.String(200), nullable=False),
    sa.Column("person", sa.String(40), nullable=False),
    sa.Column("scope", sa.String(16), nullable=False),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("granted_by", sa.Text, nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

requests_table = sa.Table(
    "access_requests",
    metadata,
    sa.Column("grant_id", sa.String(40), primary_key=True),
    sa.Column("request_key", sa.String(200), primary_key=True),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("response", sa.Text, nullable=True),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)

_DUMMY_HASH = hashlib.sha256(b"no such grant").hexdigest()


@frozen_record
class Grant(FrozenValue):
    """One link: whose, for which plan and scope; `revoked_at` once it stopped working."""

    grant_id: str
    plan: str
    person: str
    scope: str
    granted_at: datetime
    granted_by: str
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def new_secret() -> tuple[str, str]:
    """A fresh grant name and secret (48 + 256 random bits)."""
    return secrets.token_hex(6), secrets.token_urlsafe(32)


def token_of(grant_id: str, secret: str) -> str:
    """The token a link carries."""
    return f"{grant_id}-{secret}"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _moment(value: datetime) -> datetime:
    # SQLite hands back naive datetimes: they were stored in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _grant(row: sa.RowMapping) -> Grant:
    revoked = row["revoked_at"]
    return Grant(
        grant_id=row["grant_id"],
        plan=row["plan"],
        person=row["person"],
        scope=row["scope"],
        granted_at=_moment(row["granted_at"]),
        granted_by=row["granted_by"],
        revoked_at=_moment(revoked) if revoked is not None else None,
    )


class AccessStore:
    """Grants in a database (the store's own, as a rule)."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        ensure_schema(engine)

    def add(self, grant: Grant, secret: str) -> None:
        """Keep a new grant and the hash of its secret."""
        with self._engine.begin() as connection:
            connection.execute(
                grants_table.insert().values(
                    grant_id=grant.grant_id,
                    plan=grant.plan,
                    person=grant.person,
                    scope=grant.scope,
                    secret_hash=_hash(secret),
                    granted_at=grant.granted_at,
                    granted_by=grant.granted_by,
                )
            )

    def forget(self, grant_id: str) -> None:
        """Drop a grant that was never handed out (its recording failed)."""
        with self._engine.begin() as connection:
            connection.execute(grants_table.delete().where(grants_table.c.grant_id == grant_id))

    def check(self, token: str) -> Grant | None:
        """The active grant whose token this is; None for anything else, alike."""
        grant_id, _, secret = token.partition("-")
        row = None
        if grant_id and secret and len(token) <= 200:
            with self._engine.connect() as connection:
                row = (
                    connection.execute(
                        grants_table.select().where(grants_table.c.grant_id == grant_id)
                    )
                    .mappings()
                    .first()
                )
        stored = row["secret_hash"] if row is not None else _DUMMY_HASH
        matches = hmac.compare_digest(stored, _hash(secret))
        if row is None or not matches or row["revoked_at"] is not None:
            return None
        return _grant(row)

    def get(self, plan: str, grant_id: str) -> Grant | None:
        """A grant of `plan` by name, revoked or not."""
        query = grants_table.select().where(
            (grants_table.c.plan == plan) & (grants_table.c.grant_id == grant_id)
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return _grant(row) if row is not None else None

    def grants(self, plan: str, *, person: str | None = None) -> list[Grant]:
        """The plan's grants (one person's, when given), oldest first."""
        query = grants_table.select().where(grants_table.c.plan == plan)
        if person is not None:
            query = query.where(grants_table.c.person == person)
        query = query.order_by(grants_table.c.granted_at, grants_table.c.grant_id)
        with self._engine.connect() as connection:
            return [_grant(row) for row in connection.execute(query).mappings()]

    def revoke(self, grant_id: str, at: datetime) -> None:
        """Stop a grant from working."""
        with self._engine.begin() as connection:
            connection.execute(
                grants_table.update()
                .where(grants_table.c.grant_id == grant_id)
                .values(revoked_at=at)
            )

    # -- idempotent writes ----------------------------------------------------------------

    def claim(self, grant_id: str, key: str, at: datetime) -> tuple[int, str] | None:
        """Claim a request key for a write: None when it is new (the caller goes on and
        `answer`s it), else what was answered (status 0 while the first is running)."""
        with self._engine.begin() as connection:
            found = connection.execute(
                sa.select(requests_table.c.status, requests_table.c.response).where(
                    (requests_table.c.grant_id == grant_id) & (requests_table.c.request_key == key)
                )
            ).first()
            if found is not None:
                return int(found.status or 0), found.response or ""
            try:
                with connection.begin_nested():
                    connection.execute(
                        requests_table.insert().values(
                            grant_id=grant_id, request_key=key, received_at=at
                        )
                    )
            except sa.exc.IntegrityError:
                return 0, ""
        return None

    def answer(self, grant_id: str, key: str, status: int, response: str) -> None:
        """Keep what a claimed request answered (a retry gets the same)."""
        where = (requests_table.c.grant_id == grant_id) & (requests_table.c.request_key == key)
        with self._engine.begin() as connection:
            connection.execute(
                requests_table.update().where(where).values(status=status, response=response)
            )

    def release(self, grant_id: str, key: str) -> None:
        """Forget a claimed request that failed before answering (a retry may run it)."""
        where = (requests_table.c.grant_id == grant_id) & (requests_table.c.request_key == key)
        with self._engine.begin() as connection:
            connection.execute(requests_table.delete().where(where))
