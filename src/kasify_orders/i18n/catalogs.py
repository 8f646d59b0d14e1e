"""Extract kasify's strings and keep the shipped catalogs up to date (Babel's ``babel.messages``).

``python -m kasify_orders.i18n.catalogs update`` (or ``tox -e i18n``): reads every ``_()``,
``gettext()``, ``ngettext()`` and ``N_()`` in the package's Python code and jinja2 templates, writes
the template ``locale/kasify_orders.pot``, merges it into each ``locale/<lang>/LC_MESSAGES/*.po``
(new strings appear untranslated, changed ones fuzzy) and compiles each ``.po`` to its ``.mo``.
``... catalogs check`` exits non-zero naming each string a catalog lacks.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from kasify_orders.i18n import DOMAIN, LOCALE_DIR

__all__ = ["PACKAGE_DIR", "compile_all", "extract", "main", "missing", "update"]

#: The installed ``kasify_orders`` package, whose code and templates are scanned.
PACKAGE_DIR = LOCALE_DIR.parent.parent
#: Shipped languages other than English (the source language).
LANGUAGES = ("de",)

#: ``of``, ``single`` and ``fail`` build a field error from a template (``FieldError.of``,
#: ``ValidationError.single``, ``Checker.fail``): its second argument is the message.
_KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "of": (2,),
    "single": (2,),
    "fail": (2,),
}
_METHODS = [
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**/templates/**.txt", "jinja2.ext:babel_extract"),
    ("**.py", "python"),
]
_OPTIONS = {
    "**/templates/**.html": {"trimmed": "true"},
    "**/templates/**.txt": {"trimmed": "true"},
}


def extract(root: Path = PACKAGE_DIR) -> Catalog:
    """Every translatable string under *root* (the package), with the places that use it."""
    catalog = Catalog(project="kasify-orders", domain=DOMAIN, fuzzy=False)
    found: Iterator[tuple[str, int, str | tuple[str, ...], list[str], str | None]] = extract_from_dir(
        str(root), _METHODS, _OPTIONS, _KEYWORDS, strip_comment_tags=True
    )
    for filename, lineno, message, comments, context in found:
        if filename.startswith(("i18n/catalogs", "tests")):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    if root == PACKAGE_DIR:
        for text, where in _declared_strings():
            catalog.add(text, None, [(where, 0)])
    return catalog


def _declared_strings() -> Iterator[tuple[str, str]]:
    """Words declared as data and translated where the pages show them.

    The merchant's actions (buttons, confirmations, field labels, hints and blank messages), the editable
    settings and the email kinds.
    """
    from kasify_orders.editable_settings import EDITABLE  # noqa: PLC0415 - only when extracting
    from kasify_orders.notifications.sending import LABELS  # noqa: PLC0415
    from kasify_orders.registry import MERCHANT_ACTIONS  # noqa: PLC0415

    for setting in EDITABLE:
        yield from ((text, f"editable_settings:{setting.name}") for text in (setting.label, setting.help))
    yield from ((label, f"notifications.sending:{kind.value}") for kind, label in LABELS.items())

    for spec in MERCHANT_ACTIONS:
        where = f"registry:{spec.action.value}"
        yield from ((text, where) for text in (spec.label, spec.confirm, spec.may) if text)
        for field in spec.fields:
            texts = (field.label, field.hint, field.blank_message)
            yield from ((text, f"{where}.{field.name}") for text in texts if text)


def _po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def update(languages: Sequence[str] = LANGUAGES) -> None:
    """Write the ``.pot`` and merge it into each language's ``.po`` (created if missing)."""
    template = extract()
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as out:
        write_po(out, template, width=100, omit_header=False, sort_output=True)
    for language in languages:
        path = _po_path(language)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language, domain=DOMAIN)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, domain=DOMAIN, project="kasify-orders", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as out:
            write_po(out, catalog, width=100, sort_output=True, ignore_obsolete=True)
    compile_all(languages)


def compile_all(languages: Sequence[str] = LANGUAGES) -> None:
    """Compile each language's ``.po`` to the ``.mo`` kasify loads (fuzzy entries left out)."""
    for language in languages:
        path = _po_path(language)
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=DOMAIN)
        with path.with_suffix(".mo").open("wb") as out:
            write_mo(out, catalog, use_fuzzy=False)


def missing(language: str, root: Path = PACKAGE_DIR) -> list[str]:
    """The strings the code and templates use that *language*'s ``.po`` lacks, or has fuzzy or empty."""
    with _po_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    gaps = []
    for message in extract(root):
        if not message.id:
            continue
        known = catalog.get(message.id, message.context)
        text = () if known is None else known.string
        strings = text if isinstance(text, tuple) else (text,)
        if known is None or known.fuzzy or not all(strings):
            gaps.append(message.id if isinstance(message.id, str) else message.id[0])
    return gaps


def main(argv: Sequence[str] | None = None) -> int:
    """``update``: extract, merge and compile; ``compile``: only compile; ``check``: name the gaps."""
    parser = argparse.ArgumentParser(prog="python -m kasify_orders.i18n.catalogs")
    parser.add_argument("command", choices=("update", "compile", "check"))
    args = parser.parse_args(argv)
    if args.command == "update":
        update()
    elif args.command == "compile":
        compile_all()
    else:
        gaps = {language: missing(language) for language in LANGUAGES}
        for language, strings in gaps.items():
            for string in strings:
                print(f"{language}: untranslated {string!r}", file=sys.stderr)
        return 1 if any(gaps.values()) else 0
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
