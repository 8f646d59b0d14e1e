"""The carrier select of the ship and tracking forms: which option shows a value, what a post means."""

from __future__ import annotations

from kasify_orders.registry.merchant import MARK_SHIPPED, UPDATE_TRACKING
from kasify_orders.web.forms import OTHER, choice_of, read_form

NAMES = ["UPS", "FedEx", "Royal Mail"]


def test_a_known_carrier_selects_its_option_whatever_its_case_or_spaces() -> None:
    assert choice_of("UPS", NAMES) == ("UPS", "")
    assert choice_of("royalmail", NAMES) == ("Royal Mail", "")
    assert choice_of(" fedex ", NAMES) == ("FedEx", "")


def test_a_custom_carrier_is_other_with_its_name_typed() -> None:
    assert choice_of("Evri", NAMES) == (OTHER, "Evri")
    assert choice_of(OTHER, NAMES) == (OTHER, "")  # the text comes from the other field
    assert choice_of("", NAMES) == ("", "")


def test_a_post_with_other_reads_the_typed_name() -> None:
    sent = {"tracking_number": "H01HYA0012345678", "carrier": OTHER, "carrier_other": "Evri"}
    assert read_form(MARK_SHIPPED, sent)["carrier"] == "Evri"
    assert read_form(MARK_SHIPPED, {**sent, "carrier": "DHL"})["carrier"] == "DHL"
    assert read_form(UPDATE_TRACKING, {**sent, "carrier": ""})["carrier"] == ""
