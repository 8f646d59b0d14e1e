"""The column types kasify's tables share: aware UTC times, money as minor units, order ids."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect

__all__ = ["BigId", "Money", "OrderRef", "SearchTerm", "UTCDateTime"]


class UTCDateTime(sa.TypeDecorator[datetime]):
    """An aware UTC datetime; stored naive-UTC where the database has no time zones."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        """Microsecond precision on MySQL/MariaDB, whose DATETIME drops fractions by default."""
        if dialect.name in {"mysql", "mariadb"}:
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: kasify stores aware UTC times only")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Money = sa.BigInteger  # integer minor units
OrderRef = sa.String(32)
#: Compared by code point on every database, so the terms starting with a prefix are one
#: range of the index (see ``storage/search.py``); SQLite's default BINARY already is.
SearchTerm = (
    sa.String(64)
    .with_variant(sa.String(64, collation="C"), "postgresql")
    .with_variant(sa.String(64, collation="utf8mb4_bin"), "mysql", "mariadb")
)
