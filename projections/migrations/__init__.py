"""Alembic migrations of the read models' checkpoints table (see `projections.schema`)."""
