"""The shop app: a catalogue and a checkout placing orders with kasify."""

from django.apps import AppConfig


class ShopConfig(AppConfig):
    """The example shop."""

    name = "shop"
