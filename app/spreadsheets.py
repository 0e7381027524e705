"""Spreadsheet safety, one place for every export (survey data, results, the audit log).

A spreadsheet runs a cell that starts like a formula (`=`, `+`, `-`, `@`, or a tab or line break
before one), so text that anyone typed — an answer, a question, an option, an email address —
could become `=HYPERLINK(...)` on an analyst's machine. CSV has no types, so such text gets a
leading apostrophe (OWASP's advice); XLSX has them, so text cells are written as text.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: object) -> object:
    """The value as a CSV cell that a spreadsheet shows as text rather than runs."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def append_text_row(sheet, values: Iterable[object]) -> None:
    """Append a row to an openpyxl sheet; strings are stored as text, never as formulas."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
