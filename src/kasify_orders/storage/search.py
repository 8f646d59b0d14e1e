"""The words a search finds an order by, kept in an indexed table.

A substring search (``LIKE '%lovelace%'``) can use no index: on a million orders it reads every
row. So when an order is placed, kasify stores its *search terms*: the customer's name and email,
lower-cased, from the start of each word. "Ada Lovelace" <ada.lovelace@example.com> gives
``ada lovelace``, ``lovelace``, ``ada.lovelace@example.com``, ``lovelace@example.com``,
``example.com`` and ``com``. A search finds the orders with a term that starts with what was
typed ("lovel", "ada lo", "example.com"): one range scan of the terms' primary key, on every
database. The terms table sorts by code point (``C`` on PostgreSQL, ``utf8mb4_bin`` on MariaDB,
SQLite's ``BINARY``), so the range ``[prefix, next)`` holds exactly the terms with that prefix.
"""

from __future__ import annotations

__all__ = ["TERM_LENGTH", "prefix_range", "terms_of"]

#: Terms are cut to this many characters; a longer search matches on its first 64.
TERM_LENGTH = 64
_LAST_CODE_POINT = 0x10FFFF


def _normalized(text: str) -> str:
    return " ".join(text.lower().split())


def _word_starts(text: str) -> list[int]:
    return [i for i, char in enumerate(text) if char.isalnum() and (i == 0 or not text[i - 1].isalnum())]


def terms_of(*texts: str) -> set[str]:
    """Every search term of *texts*: each one lower-cased, from the start of each of its words."""
    terms: set[str] = set()
    for text in map(_normalized, texts):
        terms.update(text[start : start + TERM_LENGTH] for start in _word_starts(text))
    return terms


def prefix_range(search: str) -> tuple[str, str] | None:
    """The terms that *search* matches, as a half-open range ``[low, high)``; None if none can.

    The search is read from its first letter or digit, so "@example.com" and "#ada" find
    the terms ``example.com`` and ``ada``.
    """
    text = _normalized(search)
    starts = [i for i, char in enumerate(text) if char.isalnum()]
    if not starts:
        return None
    # Cut as the terms are; no trailing space (MariaDB ignores it) or last code point (no next).
    low = text[starts[0] : starts[0] + TERM_LENGTH].rstrip(" " + chr(_LAST_CODE_POINT))
    if not low:
        return None
    return low, low[:-1] + chr(ord(low[-1]) + 1)
