"""The ``kasify-orders`` command. ``kasify-orders demo`` runs the demo shop on localhost."""

from __future__ import annotations

import click

__all__ = ["main"]


@click.group()
@click.version_option(package_name="kasify-orders")
def main() -> None:
    """Order management for Flask, Django and Saleor shops."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to serve on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to serve on.")
@click.option(
    "--database",
    default="sqlite:///kasify-demo.sqlite3",
    show_default=True,
    help="Database URL; seeded with demo orders when it has none.",
)
def demo(host: str, port: int, database: str) -> None:
    """Run the demo shop: catalogue, cart, checkout, the merchant's pages and the emails sent."""
    try:
        from kasify_orders.demo import MailSink, create_app  # noqa: PLC0415 - needs the demo extra
    except ImportError as error:
        raise click.ClickException(
            f"the demo needs Flask, Flask-WTF and aiosmtpd ({error.name} is missing): "
            "pip install 'kasify-orders[demo]'"
        ) from error
    sink = MailSink().start()
    try:
        app = create_app(database, mail_sink=sink)
        base = f"http://{host}:{port}"
        click.echo(f"Demo shop:        {base}/")
        click.echo(f"Merchant's pages: {base}/admin/orders/")
        click.echo(f"Emails sent:      {base}/mail/   (SMTP sink on {sink.url})")
        click.echo(f"JSON API:         {base}/api/orders  (document: {base}/api/orders/openapi.json)")
        app.run(host=host, port=port, use_reloader=False, threaded=True)
    finally:
        sink.stop()
