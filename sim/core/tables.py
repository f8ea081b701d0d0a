"""Read CSV tables with a declared column schema, failing with one line naming file/row/column."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sim.core import numbers as n
from sim.core.errors import InputError
from sim.core.paths import check_file

Parser = Callable[[str], Any]


def text(value: str) -> str:
    if not value.strip():
        raise ValueError("expected a non-empty text")
    return value.strip()


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueError("expected a number") from None


def ruled(rule: n.Rule) -> Parser:
    """A parser of one number checked by `rule` (finite, in range; sim.core.numbers)."""
    return lambda value: rule.check(_number(value))


def _whole(minimum: int) -> Parser:
    return lambda value: n.whole(_number(value), minimum)


def choice(*options: str) -> Parser:
    """A parser that accepts exactly one of `options`."""
    def parse(value: str) -> str:
        if value.strip() not in options:
            raise ValueError(f"expected one of {', '.join(options)}")
        return value.strip()
    return parse


real = ruled(n.ANY)
nonneg = ruled(n.NONNEG)
positive = ruled(n.POSITIVE)
fraction = ruled(n.FRACTION)
at_least_one = ruled(n.AT_LEAST_ONE)
latitude = ruled(n.LATITUDE)
longitude = ruled(n.LONGITUDE)
celsius = ruled(n.CELSIUS)
count = _whole(0)
positive_count = _whole(1)


def month(value: str) -> int:
    number = n.whole(_number(value))
    if not 1 <= number <= 12:
        raise ValueError("expected a month number 1-12")
    return number


def optional(parser: Parser) -> Parser:
    """A parser that maps an empty cell (or a column the table does not have) to None."""
    def parse(value: str):
        return None if not value.strip() else parser(value)
    parse.optional = True  # type: ignore[attr-defined]
    return parse


def boolean(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ValueError("expected true or false")


#: dates any table may hold (a phase, a connection step, a grid project, a delivery)
FIRST_DATE, LAST_DATE = dt.date(1950, 1, 1), dt.date(2100, 12, 31)


def iso_date(value: str) -> dt.date:
    date = dt.date.fromisoformat(value.strip())
    if not FIRST_DATE <= date <= LAST_DATE:
        raise ValueError(f"expected a date between {FIRST_DATE} and {LAST_DATE}")
    return date


_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def quarter(value: str) -> tuple[int, int]:
    """A quarter written like 2026Q3, as (year, quarter)."""
    match = _QUARTER.match(value.strip())
    if not match:
        raise ValueError("expected a quarter like 2026Q3")
    return int(match[1]), int(match[2])


def name_list(value: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in value.split(";") if part.strip())
    if not names:
        raise ValueError("expected a ';'-separated list of names")
    return names


class Rows(list):
    """Parsed rows of a table; `lines[i]` is the file line number of row i."""

    lines: list[int]


def read_table(path: Path, schema: Mapping[str, Parser]) -> Rows:
    """Rows of `path` parsed by `schema` (column -> parser); extra columns are kept as text.

    Lines starting with '#' are comments. Row numbers in messages are the file's line
    numbers (the header is row 1 when there are no comments), as a spreadsheet shows them.
    """
    check_file(path)
    try:
        kept = [(k, line) for k, line in enumerate(_lines(path), start=1)
                if not line.startswith("#")]
        reader = csv.DictReader((line for _, line in kept), strict=True)
        header = reader.fieldnames or []
        absent = [col for col in schema if col not in header]
        missing = [col for col in absent if not getattr(schema[col], "optional", False)]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
        rows, lines = Rows(), []
        for raw in reader:
            lines.append(kept[reader.line_num - 1][0])
            rows.append(_parse_row(path, lines[-1], raw, schema))
        rows.lines = lines
        for row in rows:
            row.update(dict.fromkeys(absent))
        return rows
    except csv.Error as err:
        raise InputError(f"{path}: malformed CSV: {err}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from None


def comment_lines(path: Path) -> int:
    """How many '#' comment lines a table starts with (row numbers start after them)."""
    lines = _lines(path)
    return next((k for k, line in enumerate(lines) if not line.startswith("#")), len(lines))


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
    numbers = getattr(rows, "lines", range(2, len(rows) + 2))
    for number, row in zip(numbers, rows, strict=True):
        key = tuple(row[k] for k in keys)
        if key in seen:
            raise InputError(
                f"{path}: row {number}: duplicate {'/'.join(keys)} {'/'.join(map(str, key))} "
                f"(first at row {seen[key]})"
            )
        seen[key] = number
