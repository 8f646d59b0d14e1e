"""Mark orders shipped from a CSV file (order number, carrier, tracking number): read and check it.

Pure: :func:`read_csv` turns the uploaded bytes into rows, or the problems of the file itself
(no header, a missing column); :func:`check_rows` says for every row what would happen (ship,
nothing to do, or its problems, each with its line number and column) given how each order
is now. Nothing here changes an order: the pages show this as the preview, and the apply step
runs the registry's ship action for each row still "ship" when checked again.

A rerun of the same file finds each order already shipped with the same tracking number:
"nothing to do", so it ships and emails nothing twice.
"""

from __future__ import annotations

import csv
import enum
import hashlib
import io
import re
from collections.abc import Callable, Mapping, Sequence

import attrs

from kasify_orders import carriers
from kasify_orders.lifecycle import ACTIONS, Action, Status
from kasify_orders.model import Order

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "CheckedRow",
    "Column",
    "CsvFile",
    "Outcome",
    "Row",
    "RowProblem",
    "check_rows",
    "file_digest",
    "read_csv",
    "row_key",
]

#: The largest file read: some 5,000 rows (the preview carries it on to the apply step in its form).
MAX_BYTES = 256_000
#: The most rows in one file.
MAX_ROWS = 5_000
_MAX_CARRIER = 64


class Column(enum.StrEnum):
    """The three columns of the file."""

    ORDER_NUMBER = "order_number"
    CARRIER = "carrier"
    TRACKING_NUMBER = "tracking_number"


#: The column's name as the merchant reads it, and the header spellings accepted for it
#: (compared without case, spaces, dashes, underscores or ``#``): Shopify's export names too.
COLUMNS: Mapping[Column, tuple[str, frozenset[str]]] = {
    Column.ORDER_NUMBER: ("Order number", frozenset({"ordernumber", "order", "orderno", "ordernum", "name"})),
    Column.CARRIER: (
        "Carrier",
        frozenset({"carrier", "trackingcompany", "shippingcarrier", "shippingcompany", "company"}),
    ),
    Column.TRACKING_NUMBER: (
        "Tracking number",
        frozenset({"trackingnumber", "tracking", "trackingno", "trackingnum", "trackingcode"}),
    ),
}
_HEADER_NOISE = re.compile(r"[\s_\-#.]+")
_ORDER_NUMBER = re.compile(r"#?\s*(\d{1,18})")


@attrs.frozen
class RowProblem:
    """One thing wrong with a row: its line in the file, its column (None: the whole row), what."""

    line: int
    column: Column | None
    message: str

    @property
    def column_label(self) -> str:
        """The column's name as the merchant reads it ("" for the whole row)."""
        return COLUMNS[self.column][0] if self.column else ""

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.column_label}" if self.column else "")
        return f"{where}: {self.message}"


@attrs.frozen
class Row:
    """One data row as written in the file (stripped), with its line number (the header is line 1)."""

    line: int
    order_number: str
    carrier: str
    tracking_number: str


@attrs.frozen
class CsvFile:
    """The file read: its rows, or the problems of the file as a whole (then no rows)."""

    digest: str
    rows: Sequence[Row] = attrs.field(factory=list)
    problems: Sequence[RowProblem] = attrs.field(factory=list)


class Outcome(enum.StrEnum):
    """What applying a row does."""

    SHIP = "ship"
    #: Already done (the same order shipped with the same tracking number, or the row repeated).
    NOTHING = "nothing"
    PROBLEM = "problem"


@attrs.frozen
class CheckedRow:
    """A row with what would happen to it."""

    row: Row
    outcome: Outcome
    #: The order the row names, when it exists.
    order: Order | None = None
    #: The carrier as it is stored: a registry code (``"ups"``) or the custom name.
    carrier: str = ""
    problems: Sequence[RowProblem] = ()
    #: Why there is nothing to do, or a remark (a carrier not in the list).
    note: str = ""

    @property
    def known_carrier(self) -> bool:
        """The carrier is one of the registry's (it gets a tracking link)."""
        return self.carrier in carriers.CARRIERS


def file_digest(content: bytes) -> str:
    """The file's SHA-256, in hex: the same file gives the same rows' keys."""
    return hashlib.sha256(content).hexdigest()


def row_key(digest: str, line: int) -> str:
    """The idempotency key of one row of one file (``bulk-ship-<digest>-<line>``)."""
    return f"bulk-ship-{digest[:32]}-{line}"


def _header_key(name: str) -> str:
    return _HEADER_NOISE.sub("", name).lower()


def _decode(content: bytes) -> str | None:
    if b"\x00" in content:  # a spreadsheet's own format, an image: not a CSV file
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _columns(header: Sequence[str]) -> tuple[dict[Column, int], list[RowProblem]]:
    """Where each column is in *header*, or what is wrong with the header."""
    found: dict[Column, int] = {}
    problems = []
    for index, name in enumerate(header):
        key = _header_key(name)
        for column, (label, spellings) in COLUMNS.items():
            if key in spellings:
                if column in found:
                    problems.append(RowProblem(1, column, f"the {label} column is there twice"))
                found.setdefault(column, index)
    for column, (label, _spellings) in COLUMNS.items():
        if column not in found:
            problems.append(RowProblem(1, column, f"no {label} column in the header"))
    return found, problems


_EXPECTED = "The first line must name the columns: Order number, Carrier, Tracking number."


def _text(content: bytes) -> str | RowProblem:
    if len(content) > MAX_BYTES:
        return RowProblem(1, None, f"the file is larger than {MAX_BYTES:,} bytes")
    text = _decode(content)
    return RowProblem(1, None, "the file is not text (save it as CSV, UTF-8)") if text is None else text


def _lines(content: bytes) -> list[tuple[int, list[str]]] | RowProblem:
    """The file's non-blank lines with their numbers, or why it cannot be read."""
    text = _text(content)
    if isinstance(text, RowProblem):
        return text
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = [(reader.line_num, cells) for cells in reader]
    except csv.Error as error:
        return RowProblem(reader.line_num, None, f"the file is not valid CSV: {error}")
    lines = [(number, cells) for number, cells in lines if any(cell.strip() for cell in cells)]
    if not lines:
        return RowProblem(1, None, f"the file is empty. {_EXPECTED}")
    if len(lines) == 1:
        return RowProblem(lines[0][0], None, "the file has no rows under its header")
    if len(lines) > MAX_ROWS + 1:
        return RowProblem(1, None, f"the file has more than {MAX_ROWS:,} rows")
    return lines


def read_csv(content: bytes) -> CsvFile:
    """The rows of an uploaded CSV file (comma or semicolon separated, UTF-8 or Windows-1252)."""
    digest = file_digest(content)
    lines = _lines(content)
    if isinstance(lines, RowProblem):
        return CsvFile(digest, problems=[lines])
    (_, header), *body = lines
    found, problems = _columns(header)
    if problems:
        return CsvFile(digest, problems=problems)

    def cell(cells: Sequence[str], column: Column) -> str:
        index = found[column]
        return cells[index].strip() if index < len(cells) else ""

    rows = [
        Row(
            number,
            cell(cells, Column.ORDER_NUMBER),
            cell(cells, Column.CARRIER),
            cell(cells, Column.TRACKING_NUMBER),
        )
        for number, cells in body
    ]
    return CsvFile(digest, rows=rows)


def order_number(text: str) -> int | None:
    """``"1001"`` or ``"#1001"`` -> 1001; None for anything else."""
    match = _ORDER_NUMBER.fullmatch(text)
    return int(match.group(1)) if match else None


def _field_problems(row: Row) -> list[RowProblem]:
    problems = []
    if not row.order_number:
        problems.append(RowProblem(row.line, Column.ORDER_NUMBER, "must not be blank"))
    elif order_number(row.order_number) is None:
        problems.append(
            RowProblem(
                row.line,
                Column.ORDER_NUMBER,
                f"“{row.order_number[:40]}” is not an order number, such as 1001",
            )
        )
    if not row.carrier:
        problems.append(
            RowProblem(
                row.line,
                Column.CARRIER,
                "must not be blank: a known carrier (UPS, FedEx…) or your carrier's name",
            )
        )
    elif len(row.carrier) > _MAX_CARRIER:
        problems.append(RowProblem(row.line, Column.CARRIER, f"must be at most {_MAX_CARRIER} characters"))
    problem = carriers.tracking_number_problem(row.tracking_number)
    if problem:
        problems.append(RowProblem(row.line, Column.TRACKING_NUMBER, problem))
    return problems


_SHIPPABLE = ACTIONS[Action.MARK_SHIPPED]
_WHY_NOT = {
    Status.PENDING: "is not paid yet: confirm its payment first",
    Status.ON_HOLD: "is on hold: release it first",
    Status.CANCELLED: "is cancelled",
    Status.REFUNDED: "is refunded",
}


def _status_check(row: Row, order: Order, carrier: str) -> tuple[Outcome, list[RowProblem], str]:
    """Whether *order* can be shipped as the row says, is done already, or cannot be."""
    shipment = order.shipment
    if shipment is not None and shipment.tracking_number == row.tracking_number:
        return Outcome.NOTHING, [], "Already shipped with this tracking number: nothing to do"
    if order.status in _SHIPPABLE:
        return (
            Outcome.SHIP,
            [],
            "" if carrier in carriers.CARRIERS else "Not a listed carrier: no tracking link",
        )
    if shipment is not None:
        message = (
            f"order #{order.number} is already shipped with tracking number {shipment.tracking_number}; "
            "to correct it, use Edit tracking on the order's page"
        )
    else:
        why = _WHY_NOT.get(order.status, f"is {order.status.label}")
        message = f"order #{order.number} {why}; only Processing orders can be shipped"
    return Outcome.PROBLEM, [RowProblem(row.line, Column.ORDER_NUMBER, message)], ""


def check_rows(
    rows: Sequence[Row],
    find: Callable[[int], Order | None],
    *,
    may_ship: Callable[[Order], bool] = lambda _order: True,
) -> list[CheckedRow]:
    """What applying each row would do, given the orders as *find* (by number) returns them now.

    Every row is checked, so the preview names every problem at once. A row repeating an
    earlier one exactly has nothing to do; two rows giving one order different tracking
    numbers are both problems (which one is meant?). *may_ship* is the host's permission.
    """
    by_order: dict[int, list[Row]] = {}
    for row in rows:
        number = order_number(row.order_number)
        if number is not None:
            by_order.setdefault(number, []).append(row)
    found: dict[int, Order | None] = {}
    checked = []
    for row in rows:
        problems = _field_problems(row)
        carrier = carriers.normalise_carrier(row.carrier) if row.carrier else ""
        number = order_number(row.order_number)
        order = None
        if number is not None:
            if number not in found:
                found[number] = find(number)
            order = found[number]
            if order is None:
                problems.append(RowProblem(row.line, Column.ORDER_NUMBER, f"there is no order #{number}"))
        if problems or order is None:
            checked.append(CheckedRow(row, Outcome.PROBLEM, order, carrier, problems))
            continue
        same = by_order[order.number]
        first = same[0]
        if any(other.tracking_number != row.tracking_number for other in same):
            lines = ", ".join(str(other.line) for other in same if other is not row)
            message = f"order #{order.number} is also on line {lines} with another tracking number"
            problem = RowProblem(row.line, Column.TRACKING_NUMBER, message)
            checked.append(CheckedRow(row, Outcome.PROBLEM, order, carrier, [problem]))
            continue
        if first is not row:
            note = f"The same as line {first.line}: nothing more to do"
            checked.append(CheckedRow(row, Outcome.NOTHING, order, carrier, note=note))
            continue
        outcome, problems, note = _status_check(row, order, carrier)
        if outcome is Outcome.SHIP and not may_ship(order):
            outcome = Outcome.PROBLEM
            problems = [RowProblem(row.line, None, "you may not mark this order shipped")]
        checked.append(CheckedRow(row, outcome, order, carrier, problems, note))
    return checked
