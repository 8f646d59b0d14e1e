"""Mark orders shipped from a CSV upload (Shopify's bulk fulfilment): upload, preview, apply, result.

``GET bulk-ship``: the upload form. ``POST bulk-ship`` (the file): the preview, every row
checked and every problem named with its line and column; nothing changes. ``POST
bulk-ship/apply`` (the same file, carried on by the preview's form): each row that ships runs
the registry's ship action on its own, with its own email, and the result page says what
happened to each row. A rerun of the same file finds nothing to do.

Who may: the ship action's own permission (``authorize("mark_shipped", None)`` to open the
pages, ``authorize("mark_shipped", order)`` for each row's order).
"""

from __future__ import annotations

import base64
import binascii
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from kasify_orders.bulk_ship import COLUMNS, MAX_BYTES, Column, CsvFile, Outcome, read_csv
from kasify_orders.i18n import gettext
from kasify_orders.model import Order
from kasify_orders.registry.merchant import MARK_SHIPPED
from kasify_orders.web.bulk_ship_apply import Done, check_file, ship_rows
from kasify_orders.web.formatting import money_label, sentence
from kasify_orders.web.pages import MerchantPages, Page, Redirect
from kasify_orders.web.routes import PageRequest, Route

__all__ = ["ROUTES"]

#: The file field of the upload form, and the preview form's field carrying the file on.
FILE = "file"
CONTENT = "content"
FILENAME = "filename"
#: The sidebar section these pages belong to.
_SECTION = "order_list"


def _may(request: PageRequest, order: Order | None) -> bool:
    return request.authorize(MARK_SHIPPED.permission, order)


def _upload_page(pages: MerchantPages, *, error: str | None = None, status: int = 200) -> Page:
    columns = [label for label, _spellings in COLUMNS.values()]
    return Page(
        "bulk_ship_upload.html",
        {
            "section": _SECTION,
            "columns": columns,
            "error": error,
            "max_kb": MAX_BYTES // 1000,
            "action_url": pages.urls.url("bulk_ship"),
        },
        status,
    )


def bulk_ship(pages: MerchantPages, request: PageRequest) -> Page | Redirect:
    """The upload form (GET), or the preview of the uploaded file (POST): nothing changes yet."""
    if not _may(request, None):
        return pages.refused()
    if not request.form and not request.files:
        return _upload_page(pages)
    upload = request.files.get(FILE)
    if upload is None or (not upload.filename and not upload.content):
        return _upload_page(pages, error=gettext("Choose a CSV file to upload."), status=400)
    return _preview(pages, request, upload.content, upload.filename)


def _preview(pages: MerchantPages, request: PageRequest, content: bytes, filename: str) -> Page:
    read = read_csv(content)
    if read.problems:
        return _upload_page(pages, error=_file_problem(read), status=400)
    checked = check_file(pages.orders, read.rows, lambda order: _may(request, order))
    counts = Counter(row.outcome for row in checked)
    return Page(
        "bulk_ship_preview.html",
        {
            "section": _SECTION,
            "filename": filename,
            "rows": checked,
            "ship": counts[Outcome.SHIP],
            "nothing": counts[Outcome.NOTHING],
            "problems": counts[Outcome.PROBLEM],
            "content": base64.b64encode(content).decode("ascii"),
            "apply_url": pages.urls.url("bulk_ship_apply"),
            "upload_url": pages.urls.url("bulk_ship"),
            "columns": {column: COLUMNS[column][0] for column in Column},
        },
    )


def _file_problem(read: CsvFile) -> str:
    return " ".join(sentence(str(problem)) for problem in read.problems)


def _carried(form: Mapping[str, str]) -> bytes | None:
    """The file the preview's form carries on, or None when the form is not one of ours."""
    try:
        return base64.b64decode(form.get(CONTENT, ""), validate=True)
    except (binascii.Error, ValueError):
        return None


def bulk_ship_apply(pages: MerchantPages, request: PageRequest) -> Page | Redirect:
    """Ship each row of the previewed file that still ships; the result page says what each row did."""
    if not _may(request, None):
        return pages.refused()
    content = _carried(request.form)
    if not content:
        return _upload_page(
            pages, error=gettext("This form is out of date: upload the file again."), status=400
        )
    read = read_csv(content)
    if read.problems:
        return _upload_page(pages, error=_file_problem(read), status=400)

    def money(amount: Decimal, currency: str) -> str:
        return money_label(amount, currency, pages.locale)

    results = ship_rows(
        pages.orders,
        read.rows,
        digest=read.digest,
        actor=request.actor,
        may_ship=lambda order: _may(request, order),
        money=money,
    )
    counts: Counter[Done] = Counter(result.done for result in results)
    context: dict[str, Any] = {
        "section": _SECTION,
        "filename": request.form.get(FILENAME, ""),
        "results": results,
        "shipped": counts[Done.SHIPPED],
        "nothing": counts[Done.NOTHING],
        "skipped": counts[Done.SKIPPED],
        "failed": counts[Done.FAILED],
        "upload_url": pages.urls.url("bulk_ship"),
    }
    return Page("bulk_ship_result.html", context)


ROUTES: tuple[Route, ...] = (
    Route("bulk_ship", "bulk-ship", bulk_ship, methods=("GET", "POST")),
    Route("bulk_ship_apply", "bulk-ship/apply", bulk_ship_apply, methods=("POST",)),
)
