"""Alembic environment for kasify's own migrations (run through ``kasify_orders.storage.migrate``).

A plugin's own chain (:class:`~kasify_orders.storage.plugin_tables.PluginTables`) runs here too,
with its own version table and metadata in the config's attributes.
"""

from alembic import context

attributes = context.config.attributes
prefix = attributes["table_prefix"]

context.configure(
    connection=attributes["connection"],
    target_metadata=attributes.get("metadata", attributes["tables"].metadata),
    version_table=attributes.get("version_table", f"{prefix}alembic_version"),
    version_table_schema=attributes["schema"],
    render_as_batch=True,
)

with context.begin_transaction():
    context.run_migrations()
