"""Search terms: what an order is found by, and which terms a search matches."""

from kasify_orders.storage.search import TERM_LENGTH, prefix_range, terms_of


def matches(search: str, term: str) -> bool:
    found = prefix_range(search)
    return found is not None and found[0] <= term < found[1]


def test_terms_start_at_every_word_of_the_name_and_email() -> None:
    assert terms_of("Ada  Lovelace", "Ada.Lovelace@Example.com") == {
        "ada lovelace",
        "lovelace",
        "ada.lovelace@example.com",
        "lovelace@example.com",
        "example.com",
        "com",
    }


def test_terms_are_lower_cased_unicode_and_cut_to_the_column() -> None:
    assert terms_of("Zoë O'Brien", "") == {"zoë o'brien", "o'brien", "brien"}
    long = "x" * 100
    assert terms_of(long, "") == {"x" * TERM_LENGTH}


def test_a_search_matches_terms_that_start_with_it() -> None:
    assert matches("lovel", "lovelace")
    assert matches("Ada Lo", "ada lovelace")
    assert matches("@EXAMPLE.com", "example.com")  # read from its first letter
    assert not matches("ovelace", "lovelace")  # words are matched from their start
    assert not matches("ada", "adb")
    assert not matches("zoë", "zoe")


def test_a_search_longer_than_a_term_matches_on_the_terms_length() -> None:
    email = "a" * 70 + "@example.com"
    (term,) = (t for t in terms_of("", email) if t.startswith("a"))
    assert matches(email, term)


def test_a_search_without_letters_or_digits_matches_no_term() -> None:
    assert prefix_range("  @#%_ ") is None
    assert prefix_range("") is None
    assert prefix_range("a\U0010ffff") == ("a", "b")  # no code point follows the last one
