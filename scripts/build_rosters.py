"""Build the XLSX sample roster from its CSV twin, with real date cells as Excel exports have.

python scripts/build_rosters.py
"""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import openpyxl

ROSTERS = Path(__file__).resolve().parent.parent / "sample_policies" / "rosters"
SOURCE = ROSTERS / "coleman-county-911-training-roster.csv"
TARGET = ROSTERS / "coleman-county-911-training-roster.xlsx"


def _cell(value: str) -> object:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return value or None


def main() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Training"
    with SOURCE.open(newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            sheet.append([_cell(value) for value in row])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "mm/dd/yyyy"
    # A fixed timestamp keeps the file byte-stable between builds.
    book.properties.created = book.properties.modified = datetime.datetime(2026, 1, 1)
    book.save(TARGET)


if __name__ == "__main__":
    main()
