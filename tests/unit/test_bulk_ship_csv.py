"""Reading a bulk-ship CSV file: tolerant headers, every problem named with its line and column."""

from __future__ import annotations

import pytest

from kasify_orders.bulk_ship import MAX_BYTES, Column, Row, file_digest, order_number, read_csv, row_key


def test_headers_are_matched_without_case_spaces_or_punctuation() -> None:
    content = b"\xef\xbb\xbf  TRACKING number ;Carrier; order #\r\n1Z999AA10123456784;ups;#1001\r\n"
    read = read_csv(content)
    assert read.problems == []
    assert read.rows == [Row(2, "#1001", "ups", "1Z999AA10123456784")]


def test_shopify_column_names_are_understood() -> None:
    read = read_csv(b"Name,Tracking Company,Tracking Number\n1001,DHL,JD014600006281230704\n")
    assert read.rows == [Row(2, "1001", "DHL", "JD014600006281230704")]


def test_blank_lines_are_left_out_and_line_numbers_stay_the_files() -> None:
    read = read_csv(b"order_number,carrier,tracking_number\n\n1001,UPS,1Z999AA10123456784\n,,\n1002,FedEx\n")
    assert [(row.line, row.order_number, row.tracking_number) for row in read.rows] == [
        (3, "1001", "1Z999AA10123456784"),
        (5, "1002", ""),  # a short row: the missing cell is blank (and checked as such)
    ]


def test_a_missing_column_is_named() -> None:
    read = read_csv(b"order,tracking\n1001,1Z999AA10123456784\n")
    assert read.rows == []
    (problem,) = read.problems
    assert (problem.line, problem.column) == (1, Column.CARRIER)
    assert str(problem) == "line 1, Carrier: no Carrier column in the header"


def test_a_column_twice_is_named() -> None:
    read = read_csv(b"order,carrier,tracking,Tracking Number\n1,UPS,x,y\n")
    assert [str(p) for p in read.problems] == [
        "line 1, Tracking number: the Tracking number column is there twice"
    ]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "the file is empty"),
        (b"\n \n", "the file is empty"),
        (b"order,carrier,tracking\n", "no rows under its header"),
        (b"\x00\xff\xfe" * 10, "not text"),
        (b"order,carrier,tracking\n" + b"1,UPS,x\n" * (MAX_BYTES // 8 + 1), "larger than"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(content: bytes, says: str) -> None:
    read = read_csv(content)
    assert read.rows == []
    assert says in str(read.problems[0])


def test_windows_1252_text_is_read() -> None:
    read = read_csv("order,carrier,tracking\n1001,Poste Française,AB123456789FR\n".encode("cp1252"))
    assert read.rows[0].carrier == "Poste Française"


def test_order_numbers_may_carry_a_hash() -> None:
    assert [order_number(text) for text in ["1001", "#1001", "# 7", "10a", "", "-3"]] == [
        1001,
        1001,
        7,
        None,
        None,
        None,
    ]


def test_the_same_file_gives_the_same_row_keys_and_another_file_others() -> None:
    first = file_digest(b"order,carrier,tracking\n1,UPS,1Z999AA10123456784\n")
    assert first == file_digest(b"order,carrier,tracking\n1,UPS,1Z999AA10123456784\n")
    assert row_key(first, 2) != row_key(first, 3)
    assert row_key(first, 2) != row_key(file_digest(b"other"), 2)
