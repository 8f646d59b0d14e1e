"""Alembic environment for kasify's own migrations (run through ``kasify_orders.storage.migrate``)."""

from alembic import context

attributes = context.config.attributes
prefix = attributes["table_prefix"]

context.configure(
    connection=attributes["connection"],
    target_metadata=attributes["tables"].metadata,
    version_table=f"{prefix}alembic_version",
    version_table_schema=attributes["schema"],
    render_as_batch=True,
)

with context.begin_transaction():
    context.run_migrations()
