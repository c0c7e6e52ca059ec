"""Reading a roll of electors from a CSV or XLSX file: name, company, employee reference."""

from __future__ import annotations

import csv
import io
from typing import IO, Any

from django.utils.translation import gettext as _

HEADERS = {
    "name": {"name", "姓名", "名字"},
    "company": {"company", "企业", "公司", "单位", "企业名称"},
    "ref": {"ref", "reference", "工号", "员工编号", "编号"},
}
MAX_ROWS = 20_000


class RollFileError(Exception):
    pass


def _columns(header: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        label = str(cell or "").strip().lower()
        for key, names in HEADERS.items():
            if label in names:
                found[key] = i
    missing = [k for k in HEADERS if k not in found]
    if missing:
        raise RollFileError(_("The first row must name the columns: name (姓名), company (企业), ref (工号)."))
    return found


def _rows(table: list[list[Any]]) -> list[dict[str, Any]]:
    if not table:
        raise RollFileError(_("The file is empty."))
    if len(table) > MAX_ROWS + 1:
        raise RollFileError(_("At most %(n)s electors per file.") % {"n": MAX_ROWS})
    columns = _columns(table[0])
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        if not any(str(c or "").strip() for c in cells):
            continue
        row: dict[str, Any] = {"_line": line}
        for key, i in columns.items():
            value = cells[i] if i < len(cells) else ""
            row[key] = "" if value is None else str(value).strip()
        rows.append(row)
    return rows


def read_roll(filename: str, data: IO[bytes]) -> list[dict[str, Any]]:
    raw = data.read(10 * 1024 * 1024 + 1)
    if len(raw) > 10 * 1024 * 1024:
        raise RollFileError(_("The file is larger than 10 MB."))
    if filename.lower().endswith(".xlsx") or raw[:2] == b"PK":
        try:
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            table = [list(r) for r in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise RollFileError(_("This is not a readable XLSX file.")) from exc
        return _rows(table)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RollFileError(_("The CSV file is neither UTF-8 nor GBK text."))
    return _rows([list(r) for r in csv.reader(io.StringIO(text))])
