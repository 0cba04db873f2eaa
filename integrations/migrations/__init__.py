"""Alembic migrations of the tables `integrations` owns (see `integrations.schema`)."""
