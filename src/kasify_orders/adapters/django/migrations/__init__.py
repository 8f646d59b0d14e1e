"""kasify's Django migrations: they apply its Alembic migrations (see 0001)."""
