"""The default storage plugin: SQLAlchemy Core on SQLite, PostgreSQL and MariaDB/MySQL."""
