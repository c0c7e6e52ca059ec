import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from buildings.exports import csv_response, safe_cell, xlsx_response

ROWS = [['=HYPERLINK("http://evil")', "外卖无法上楼", 3, datetime(2026, 5, 1, 1, 30, tzinfo=ZoneInfo("UTC"))]]


def test_formula_like_text_is_neutralised_but_numbers_are_not() -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("－1") == "'－1"
    assert safe_cell(-5) == -5
    assert safe_cell("楼事会") == "楼事会"


def test_csv_has_a_bom_chinese_text_and_escaped_formulas() -> None:
    response = csv_response("诉求.csv", ["标题", "说明", "附议", "时间"], ROWS)
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["标题", "说明", "附议", "时间"]
    assert rows[1] == ['\'=HYPERLINK("http://evil")', "外卖无法上楼", "3", "2026-05-01 09:30"]
    assert "filename*=utf-8''%E8%AF%89%E6%B1%82.csv" in response["Content-Disposition"]


def test_xlsx_opens_with_escaped_formulas_and_local_times() -> None:
    response = xlsx_response("诉求.xlsx", ["标题", "说明", "附议", "时间"], ROWS, sheet_title="诉求")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "诉求"
    assert [c.value for c in sheet[2]] == [
        '\'=HYPERLINK("http://evil")',
        "外卖无法上楼",
        3,
        datetime(2026, 5, 1, 9, 30),
    ]
