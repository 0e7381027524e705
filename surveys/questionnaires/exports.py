"""Exports: one row per response and one column per question, as CSV, XLSX, JSON or SPSS .sav;
and the aggregated (suppressed) results as CSV for people who may not see row-level data.

Free text is PII-redacted unless the exporter may read raw text; words held for the safeguarding
lead never reach here (`responses.load_responses` leaves them out). No cell reaches a spreadsheet as a formula
(`app.spreadsheets`): not an answer, not a question's text in a header.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.spreadsheets import append_text_row, csv_cell
from surveys.questionnaires.definition import OTHER, TEXT_KINDS, QuestionDef, SurveyDef
from surveys.questionnaires.responses import StoredResponse
from surveys.questionnaires.results import SurveyResults, Viewer, shown_text
from surveys.questionnaires.tables import QuestionKind

FORMATS = {
    "csv": "text/csv",  # Litestar adds "; charset=utf-8" to text/ types itself
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "sav": "application/x-spss-sav",
}
DECLINED_LABEL = "I'd rather not say"
DECLINED_CODE = 99
FIXED_COLUMNS = [("response", "Response number"), ("submitted", "Date submitted"), ("language", "Language"), ("mode", "How it was answered")]


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    question: QuestionDef | None = None
    other: bool = False
    sentiment: bool = False
    """The free text's sentiment label (analysis.sentiment), stored with the answer."""


def columns(definition: SurveyDef) -> list[Column]:
    cols = [Column(name, label) for name, label in FIXED_COLUMNS]
    for q in definition.questions:
        cols.append(Column(q.key, q.text, q))
        if q.kind in TEXT_KINDS:
            cols.append(Column(f"{q.key}_sentiment", f"{q.text} (sentiment)", q, sentiment=True))
        if q.allow_other:
            cols.append(Column(f"{q.key}_other", f"{q.text} (other)", q, other=True))
    return cols


def _label(question: QuestionDef, given) -> str:
    if given.declined:
        return DECLINED_LABEL
    value = given.value
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(question.label_of(v) for v in value)
    if question.kind in (QuestionKind.single_choice, QuestionKind.yes_no, QuestionKind.likert):
        return question.label_of(str(value))
    return str(value)


def rows(definition: SurveyDef, responses: Sequence[StoredResponse], viewer: Viewer) -> list[dict[str, object]]:
    """Each response as labelled values, free text redacted or held back as the viewer requires."""
    out = []
    question_columns = columns(definition)[len(FIXED_COLUMNS):]
    for number, response in enumerate(responses, start=1):
        row: dict[str, object] = {
            "response": number,
            "submitted": response.submitted_at.date().isoformat(),
            "language": response.language,
            "mode": response.mode,
        }
        for column in question_columns:
            stored = response.answers.get(column.question.key)
            if stored is None:
                row[column.name] = ""
            elif column.sentiment:
                row[column.name] = stored.sentiment_label or "" if not stored.given.declined else ""
            elif column.other:
                row[column.name] = shown_text(stored.given.other_text, viewer) if stored.given.other_text else ""
            elif column.question.kind in TEXT_KINDS and not stored.given.declined:
                row[column.name] = shown_text(str(stored.given.value), viewer)
            else:
                row[column.name] = _label(column.question, stored.given)
        out.append(row)
    return out


def to_csv(definition: SurveyDef, responses: Sequence[StoredResponse], viewer: Viewer) -> bytes:
    cols = columns(definition)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(c.name) for c in cols])
    writer.writerow([csv_cell(c.label) for c in cols])
    for row in rows(definition, responses, viewer):
        writer.writerow([csv_cell(row[c.name]) for c in cols])
    # A byte-order mark so Excel opens Bengali and Urdu text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(definition: SurveyDef, responses: Sequence[StoredResponse], viewer: Viewer) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    cols = columns(definition)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Responses"
    append_text_row(sheet, [c.label for c in cols])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(definition, responses, viewer):
        append_text_row(sheet, [row[c.name] for c in cols])
    sheet.freeze_panes = "A2"
    names = workbook.create_sheet("Columns")
    append_text_row(names, ["Column", "Question"])
    for c in cols:
        append_text_row(names, [c.name, c.label])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_json(definition: SurveyDef, responses: Sequence[StoredResponse], viewer: Viewer) -> bytes:
    document = {
        "survey": {"id": definition.id, "title": definition.title},
        "questions": [
            {"key": q.key, "text": q.text, "kind": q.kind.value, "outcome": q.outcome,
             "options": [{"value": o.value, "label": o.label} for o in q.options]}
            for q in definition.questions
        ],
        "responses": rows(definition, responses, viewer),
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def to_sav(definition: SurveyDef, responses: Sequence[StoredResponse], viewer: Viewer) -> bytes:
    """SPSS: choice questions as numeric codes with value labels; 99 is "I'd rather not say" (missing)."""
    import pandas as pd
    import pyreadstat

    cols = columns(definition)
    labelled = rows(definition, responses, viewer)
    data: dict[str, list] = {c.name: [] for c in cols}
    value_labels: dict[str, dict[float, str]] = {}
    missing: dict[str, list] = {}
    coded = {q.key: q for q in definition.questions if q.kind in (
        QuestionKind.single_choice, QuestionKind.yes_no, QuestionKind.likert, QuestionKind.rating)}
    for key, q in coded.items():
        if q.kind is QuestionKind.rating:
            value_labels[key] = {DECLINED_CODE: DECLINED_LABEL}
        else:
            value_labels[key] = {float(i): o.label for i, o in enumerate(q.options, start=1)} | {DECLINED_CODE: DECLINED_LABEL}
        missing[key] = [DECLINED_CODE]
    for response, row in zip(responses, labelled, strict=True):
        for c in cols:
            if c.name in coded:
                data[c.name].append(_code(coded[c.name], response.answers.get(c.name)))
            elif c.question is not None and c.question.kind is QuestionKind.number and not c.other and not c.sentiment:
                stored = response.answers.get(c.name)
                data[c.name].append(float(stored.given.value) if stored and stored.given.value is not None else math.nan)
            else:
                data[c.name].append(str(row[c.name]))
    frame = pd.DataFrame(data, columns=[c.name for c in cols])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "survey.sav"
        pyreadstat.write_sav(
            frame, str(path), file_label=definition.title[:60],
            column_labels={c.name: c.label[:250] for c in cols},
            variable_value_labels=value_labels, missing_ranges=missing,
        )
        return path.read_bytes()


def _code(question: QuestionDef, stored) -> float:
    if stored is None:
        return math.nan
    if stored.given.declined:
        return float(DECLINED_CODE)
    if question.kind is QuestionKind.rating:
        return float(stored.given.value)
    values = [o.value for o in question.options]
    return float(values.index(str(stored.given.value)) + 1) if str(stored.given.value) in values else math.nan


EXPORTERS = {"csv": to_csv, "xlsx": to_xlsx, "json": to_json, "sav": to_sav}


def results_csv(results: SurveyResults) -> bytes:
    """The aggregated results, suppressed exactly as on the results page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["question", "text", "answer", "count", "percent"])
    writer.writerow(["", "All responses", "", str(results.total), ""])
    for q in results.questions:
        writer.writerow([q.question.key, csv_cell(q.question.text), "(answered)", str(q.answered), ""])
        if q.too_few:
            continue
        for row in q.rows:
            writer.writerow([q.question.key, "", csv_cell(row.label if row.value != OTHER else "Other"), str(row.count),
                             "" if row.count.percent is None else row.count.percent])
        for row in q.sentiment:
            writer.writerow([q.question.key, "", f"Feeling: {row.value}", str(row.count), "" if row.count.percent is None else row.count.percent])
        writer.writerow([q.question.key, "", DECLINED_LABEL, str(q.declined), ""])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
