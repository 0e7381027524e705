"""No text anyone typed reaches a spreadsheet as a formula: every cell of every export, headers included."""

import csv
import io
import zipfile

import openpyxl

from app.audit.services import to_csv as audit_csv
from app.spreadsheets import FORMULA_STARTS, csv_cell
from surveys.questionnaires import exports
from surveys.questionnaires.definition import Given, Option, QuestionDef, SectionDef, SurveyDef
from surveys.questionnaires.responses import StoredAnswer, StoredResponse
from surveys.questionnaires.results import Viewer, summarise
from surveys.questionnaires.tables import QuestionKind as K
from tests.unit.surveys.test_results import START

HOSTILE = '=HYPERLINK("http://evil.example","click")'
SURVEY = SurveyDef(9, "Hostile", sections=(SectionDef(1, questions=(
    QuestionDef(1, "pick", K.single_choice, HOSTILE, options=(Option("a", "+cmd|' /C calc'!A0"), Option("b", "@SUM(1+1)"))),
    QuestionDef(2, "many", K.multiple_choice, "-2+3", options=(Option("x", "=1"), Option("y", "y")), allow_other=True),
    QuestionDef(3, "say", K.long_text, "\t=tab"),
)),))
RESPONSES = [
    StoredResponse(n, START, "en", "online", False, {
        "pick": StoredAnswer(Given("a" if n % 2 else "b")),
        "many": StoredAnswer(Given(["x", "_other"], other_text="=other()")),
        "say": StoredAnswer(Given("@me =2+2"), "none", 0.0)})
    for n in range(1, 8)
]
EVERYTHING = Viewer(reveal_small_groups=True, raw_text=True)


def _csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


def test_csv_cell_quotes_every_formula_start_and_leaves_the_rest():
    assert all(csv_cell(start + "1") == "'" + start + "1" for start in FORMULA_STARTS)
    assert csv_cell("fine = ok") == "fine = ok" and csv_cell(14) == 14


def test_row_level_csv_has_no_cell_a_spreadsheet_would_run():
    cells = _csv_cells(exports.to_csv(SURVEY, RESPONSES, EVERYTHING))
    assert HOSTILE not in cells  # the question text in the label row is quoted too
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]


def test_results_csv_has_no_cell_a_spreadsheet_would_run():
    results = summarise(SURVEY, RESPONSES, threshold=5, viewer=EVERYTHING)
    cells = _csv_cells(exports.results_csv(results))
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]


def test_xlsx_stores_hostile_text_as_text_in_every_sheet():
    data = exports.to_xlsx(SURVEY, RESPONSES, EVERYTHING)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert HOSTILE in [c.value for c in cells]  # shown as written, not mangled...
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # ...and never a formula
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not [n for n in archive.namelist() if n.startswith("xl/worksheets/") and b"<f>" in archive.read(n)]


def test_audit_csv_quotes_formulas_with_the_same_escaper():
    rows = [{"occurred_at": START, "actor_email": "=evil@example.org", "action": "+x", "target_type": "-",
             "target_id": "@1", "detail": {}, "ip_address": "127.0.0.1"}]
    cells = _csv_cells(audit_csv(rows).encode())
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
