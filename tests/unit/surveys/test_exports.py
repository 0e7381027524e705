"""Exports are readable by the tools analysts use, labelled, redacted, and safe to open."""

import csv
import io
import json

import openpyxl
import pyreadstat

from surveys.questionnaires import exports
from surveys.questionnaires.definition import Given, Option, QuestionDef, SectionDef, SurveyDef
from surveys.questionnaires.responses import StoredAnswer, StoredResponse
from surveys.questionnaires.results import Viewer
from surveys.questionnaires.tables import QuestionKind as K
from tests.unit.surveys.test_results import START

LIKERT = tuple(Option(str(n), label) for n, label in enumerate(["SD", "D", "N", "A", "SA"], start=1))
SURVEY = SurveyDef(7, "Exports", sections=(SectionDef(1, questions=(
    QuestionDef(1, "feel", K.likert, "I feel safe", options=LIKERT),
    QuestionDef(2, "where", K.multiple_choice, "Where", options=(Option("bus", "Bus"), Option("park", "Park")), allow_other=True),
    QuestionDef(3, "age", K.number, "Age"),
    QuestionDef(4, "say", K.long_text, "Say"),
)),))
RESPONSES = [
    StoredResponse(1, START, "en", "online", False, {
        "feel": StoredAnswer(Given("4")), "where": StoredAnswer(Given(["bus", "_other"], other_text="=HYPERLINK(\"x\")")),
        "age": StoredAnswer(Given(14)), "say": StoredAnswer(Given("call me on 07700 900123"), "none", 0.1, "neutral")}),
    StoredResponse(2, START, "bn", "paper", True, {
        # Its free text was held for the safeguarding lead, so responses.load_responses left it out.
        "feel": StoredAnswer(Given(None, declined=True))}),
]
VIEWER = Viewer(reveal_small_groups=True)


def test_csv_has_a_name_row_a_label_row_and_no_formulas():
    text = exports.to_csv(SURVEY, RESPONSES, VIEWER).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["response", "submitted", "language", "mode", "feel", "where", "where_other", "age", "say", "say_sentiment"]
    assert rows[1][4] == "I feel safe"
    first, second = rows[2], rows[3]
    assert first[4] == "A" and first[5] == "Bus; Other" and first[6].startswith("'=")  # not run as a formula
    assert "07700" not in first[8] and "[PHONE]" in first[8] and first[9] == "neutral"  # redacted for a role without raw text
    assert second[4] == "I'd rather not say" and second[8] == "" and second[3] == "paper"


def test_xlsx_opens_with_labels_and_the_same_values():
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(SURVEY, RESPONSES, VIEWER)))
    sheet = book["Responses"]
    assert [c.value for c in sheet[1]][4] == "I feel safe"
    assert sheet.cell(row=2, column=5).value == "A"
    assert book["Columns"].cell(row=7, column=1).value == "where"


def test_spss_file_has_codes_value_labels_and_rather_not_say_as_missing(tmp_path):
    path = tmp_path / "x.sav"
    path.write_bytes(exports.to_sav(SURVEY, RESPONSES, VIEWER))
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert list(frame["feel"]) == [4.0, 99.0]
    assert meta.variable_value_labels["feel"][4.0] == "A"
    assert meta.variable_value_labels["feel"][99.0] == "I'd rather not say"
    assert meta.column_names_to_labels["feel"] == "I feel safe"
    assert frame["age"][0] == 14.0
    assert meta.missing_ranges["feel"] == [{"lo": 99.0, "hi": 99.0}]


def test_json_lists_questions_and_labelled_responses_and_raw_text_for_roles_allowed_it():
    document = json.loads(exports.to_json(SURVEY, RESPONSES, Viewer(reveal_small_groups=True, raw_text=True)))
    assert [q["key"] for q in document["questions"]] == ["feel", "where", "age", "say"]
    assert document["responses"][0]["say"] == "call me on 07700 900123"
    assert document["responses"][1]["say"] in ("", None)
