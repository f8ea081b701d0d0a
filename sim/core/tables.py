"""Read CSV tables with a declared column schema, failing with one line naming file/row/column."""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sim.core.errors import InputError

Parser = Callable[[str], Any]


def text(value: str) -> str:
    if not value.strip():
        raise ValueError("expected a non-empty text")
    return value.strip()


def real(value: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("expected a finite number")
    return number


def _checked(base: Parser, ok: Callable[[Any], bool], expected: str) -> Parser:
    """`base` followed by a range check that fails with 'expected ...'."""
    def parse(value: str):
        number = base(value)
        if not ok(number):
            raise ValueError(f"expected {expected}")
        return number
    return parse


def _whole(value: str) -> int:
    number = real(value)
    if number != int(number):
        raise ValueError("expected a whole number")
    return int(number)


nonneg = _checked(real, lambda x: x >= 0, "a number >= 0")
positive = _checked(real, lambda x: x > 0, "a number > 0")
fraction = _checked(real, lambda x: 0 <= x <= 1, "a fraction between 0 and 1")
at_least_one = _checked(real, lambda x: x >= 1, "a number >= 1")
count = _checked(_whole, lambda x: x >= 0, "a whole number >= 0")
positive_count = _checked(_whole, lambda x: x > 0, "a whole number > 0")
month = _checked(_whole, lambda x: 1 <= x <= 12, "a month number 1-12")


def optional(parser: Parser) -> Parser:
    """A parser that maps an empty cell to None."""
    def parse(value: str):
        return None if not value.strip() else parser(value)
    return parse


def boolean(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ValueError("expected true or false")


def iso_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value.strip())


def name_list(value: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in value.split(";") if part.strip())
    if not names:
        raise ValueError("expected a ';'-separated list of names")
    return names


def read_table(path: Path, schema: Mapping[str, Parser]) -> list[dict[str, Any]]:
    """Rows of `path` parsed by `schema` (column -> parser); extra columns are kept as text.

    Lines starting with '#' are comments. Row numbers in messages are the file's line
    numbers (the header is row 1 when there are no comments), as a spreadsheet shows them.
    """
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        kept = [(n, line) for n, line in enumerate(_lines(path), start=1)
                if not line.startswith("#")]
        reader = csv.DictReader((line for _, line in kept), strict=True)
        header = reader.fieldnames or []
        missing = [col for col in schema if col not in header]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
        return [_parse_row(path, kept[reader.line_num - 1][0], raw, schema) for raw in reader]
    except csv.Error as err:
        raise InputError(f"{path}: malformed CSV: {err}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None


def _lines(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return handle.read().splitlines(keepends=True)


def _parse_row(path: Path, number: int, raw: dict, schema: Mapping[str, Parser]) -> dict:
    if None in raw:
        raise InputError(f"{path}: row {number}: more cells than header columns")
    row: dict[str, Any] = {}
    for column, value in raw.items():
        parser = schema.get(column)
        if value is None:
            raise InputError(f"{path}: row {number}: fewer cells than header columns")
        if parser is None:
            row[column] = value
            continue
        try:
            row[column] = parser(value)
        except (ValueError, TypeError) as err:
            reason = str(err) if str(err).startswith("expected") else f"cannot parse: {err}"
            raise InputError(
                f"{path}: row {number}, column '{column}': {reason} (got {value!r})"
            ) from None
    return row


def unique(path: Path, rows: list[dict], *keys: str) -> None:
    """Raise if two rows share the same values of `keys`."""
    seen: dict[tuple, int] = {}
    for number, row in enumerate(rows, start=2):
        key = tuple(row[k] for k in keys)
        if key in seen:
            raise InputError(
                f"{path}: row {number}: duplicate {'/'.join(keys)} {'/'.join(map(str, key))} "
                f"(first at row {seen[key]})"
            )
        seen[key] = number
