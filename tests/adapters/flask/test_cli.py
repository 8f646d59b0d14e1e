"""``flask kasify …``: kasify's commands on the app's own Orders, config and plugins."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import flask
import pytest
import sqlalchemy as sa

import kasify_orders as ko
from kasify_orders.adapters.flask import KasifyOrders
from kasify_orders.storage import migrate
from tests.helpers import new_order


class Webhook:
    """A plugin the app's config registers: what a worker must run with."""

    def __init__(self) -> None:
        self.placed: list[int] = []

    @ko.hookimpl
    def kasify_order_placed(self, order: ko.Order) -> None:
        self.placed.append(order.number)


def make_app(url: str, **config: object) -> flask.Flask:
    app = flask.Flask("shop")
    app.config.update(
        SECRET_KEY="test",
        KASIFY_ORDERS_DATABASE_URL=url,
        KASIFY_ORDERS_LOAD_ENTRYPOINTS=False,
        KASIFY_ORDERS_SETTINGS={"deliver_inline": False, "from_email": "orders@shop.example"},
        **config,
    )
    KasifyOrders(app)
    return app


def test_deliver_runs_the_apps_own_plugins(tmp_path: Path) -> None:
    webhook = Webhook()
    app = make_app(f"sqlite:///{tmp_path / 'shop.sqlite3'}", KASIFY_ORDERS_PLUGINS=[webhook])
    with app.app_context():
        placed = app.extensions["kasify_orders"].orders.place(new_order())
    assert webhook.placed == []  # deliver_inline=False: waiting in the outbox

    result = app.test_cli_runner().invoke(args=["kasify", "deliver"])

    assert result.exit_code == 0, result.output
    assert "Delivered" in result.output
    assert webhook.placed == [placed.number]


def test_db_upgrade_and_current_use_the_apps_database(tmp_path: Path) -> None:
    database = tmp_path / "shop.sqlite3"
    app = make_app(f"sqlite:///{database}", KASIFY_ORDERS_MIGRATE=False)
    runner = app.test_cli_runner()
    before = runner.invoke(args=["kasify", "db", "current"]).output
    assert "empty (behind: run 'flask kasify db upgrade'" in before

    upgraded = runner.invoke(args=["kasify", "db", "upgrade"])

    assert upgraded.exit_code == 0 and f"revision {migrate.head()}" in upgraded.output
    assert "(up to date)" in runner.invoke(args=["kasify", "db", "current"]).output
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        assert "kasify_orders" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_export_and_check(tmp_path: Path) -> None:
    from flask_mailman import Mail

    app = make_app(f"sqlite:///{tmp_path / 'shop.sqlite3'}", MAIL_BACKEND="locmem")
    Mail(app)  # the app's mail set-up: what check must find
    with app.app_context():
        placed = app.extensions["kasify_orders"].orders.place(new_order(email="ada@example.com"))
    runner = app.test_cli_runner()
    out = tmp_path / "orders.csv"

    exported = runner.invoke(args=["kasify", "export", "--output", str(out), "--quiet"])
    checked = runner.invoke(args=["kasify", "check"])

    assert exported.exit_code == 0, exported.output
    (row,) = csv.DictReader(out.read_text().splitlines())
    assert row["number"] == str(placed.number) and row["customer_email"] == "ada@example.com"
    assert checked.exit_code == 0, checked.output
    assert f"ok   database: sqlite:///{tmp_path / 'shop.sqlite3'}" in checked.output
    assert "ok   emails: sent from orders@shop.example" in checked.output  # the app's settings


def test_the_apps_config_names_the_database_so_there_is_no_url_option(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'shop.sqlite3'}")
    result = app.test_cli_runner().invoke(args=["kasify", "check", "--url", "sqlite://"])
    # click words it "No such option: --url" (8.2.0) or "No such option '--url'" (later).
    assert result.exit_code == 2 and "No such option" in result.output and "--url" in result.output
    listed = app.test_cli_runner().invoke(args=["kasify", "--help"])
    for command in ("db", "deliver", "export", "check"):
        assert f"  {command} " in listed.output


def test_an_app_without_the_extension_has_no_kasify_commands() -> None:
    result = flask.Flask("other").test_cli_runner().invoke(args=["kasify", "check"])
    assert result.exit_code == 2 and "No such command 'kasify'" in result.output


HOST = '''
    """A host with its own tables under Flask-Migrate, and kasify's beside them."""

    import os

    from flask import Flask
    from flask_migrate import Migrate
    from flask_sqlalchemy import SQLAlchemy

    from kasify_orders.adapters.flask import KasifyOrders
    from kasify_orders.storage import exclude_kasify_tables

    db = SQLAlchemy()


    class Product(db.Model):
        __tablename__ = "products"
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(80), nullable=False)


    def create_app():
        app = Flask(__name__)
        url = os.environ["SHOP_DATABASE_URL"]
        app.config.update(
            SQLALCHEMY_DATABASE_URI=url, KASIFY_ORDERS_DATABASE_URL=url, KASIFY_ORDERS_MIGRATE=False
        )
        db.init_app(app)
        if os.environ.get("SHOP_WITHOUT_THE_ONE_LINER"):
            Migrate(app, db, directory="bare-migrations")
        else:
            Migrate(app, db, include_name=exclude_kasify_tables())  # the one line
        KasifyOrders(app)
        return app
'''


def test_flask_migrate_and_kasify_migrations_live_side_by_side(tmp_path: Path) -> None:
    pytest.importorskip("flask_migrate")
    pytest.importorskip("flask_sqlalchemy")
    (tmp_path / "shop.py").write_text(textwrap.dedent(HOST))
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    env = {**os.environ, "SHOP_DATABASE_URL": url, "FLASK_APP": "shop:create_app"}

    def flask_cli(*args: str, **extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=tmp_path,
            env={**env, **extra},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout + done.stderr

    assert f"revision {migrate.head()}" in flask_cli("kasify", "db", "upgrade")
    # Without the one line, the host's autogenerate would drop kasify's tables.
    flask_cli("db", "init", SHOP_WITHOUT_THE_ONE_LINER="1")
    flask_cli("db", "migrate", SHOP_WITHOUT_THE_ONE_LINER="1")
    (bare,) = (tmp_path / "bare-migrations" / "versions").glob("*.py")
    assert "op.drop_table('kasify_orders')" in bare.read_text()

    flask_cli("db", "init")
    flask_cli("db", "migrate", "-m", "products")
    (revision,) = (tmp_path / "migrations" / "versions").glob("*.py")
    generated = revision.read_text()
    assert "create_table('products'" in generated
    assert "kasify" not in generated  # neither kasify's tables nor its version table
    flask_cli("db", "upgrade")

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            host_at = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            kasify_at = connection.execute(sa.text("SELECT version_num FROM kasify_alembic_version")).scalar()
    finally:
        engine.dispose()
    assert {"products", "kasify_orders", "alembic_version", "kasify_alembic_version"} <= tables
    assert host_at == revision.name.split("_")[0] and kasify_at == migrate.head()
