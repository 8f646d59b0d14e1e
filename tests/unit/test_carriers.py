import pytest

from kasify_orders import carriers


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("UPS", "ups"),
        (" fedex ", "fedex"),
        ("Royal Mail", "royal_mail"),
        ("royal-mail", "royal_mail"),
        ("Canada Post", "canada_post"),
        ("AUSTRALIA_POST", "australia_post"),
        ("Evri", "Evri"),
    ],
)
def test_known_carriers_are_recognised_however_typed(typed: str, code: str) -> None:
    assert carriers.normalise_carrier(typed) == code


def test_tracking_links_for_every_known_carrier_encode_the_number() -> None:
    for code in carriers.CARRIERS:
        url = carriers.tracking_url(code, "AB 12/3")
        assert url is not None and url.startswith("https://")
        assert "AB%2012%2F3" in url
    assert (
        carriers.tracking_url("ups", "1Z999AA10123456784")
        == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    )


def test_custom_carriers_get_a_link_only_from_settings() -> None:
    assert carriers.tracking_url("Evri", "H123") is None
    assert carriers.tracking_url("Evri", "H123", {"evri": "https://evri.example/t/{number}"}) is None
    assert (
        carriers.tracking_url("Evri", "H123", {"Evri": "https://evri.example/t/{number}"})
        == "https://evri.example/t/H123"
    )


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("", "must not be blank"),
        ("ab", "4-64"),
        ("1Z99\n9", "4-64"),
        ("x" * 65, "4-64"),
        ("1Z999AA10123456784", None),
    ],
)
def test_tracking_number_checks(number: str, problem: str | None) -> None:
    found = carriers.tracking_number_problem(number)
    assert (found is None) if problem is None else (problem in (found or ""))
