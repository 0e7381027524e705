"""Themes as CSV: the figures the page shows (kept-back counts as words), every cell through the
one spreadsheet escaper, so a theme name or a quote cannot run as a formula."""

from __future__ import annotations

import csv
import io

from app.insights.summary import SENTIMENTS, RunView
from app.spreadsheets import csv_cell


def to_csv(view: RunView) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["theme", "answers", *SENTIMENTS, "keywords", "quotes", "merged from", "new since last run", "marked not useful"]
    header += [f"answers: {c}" for c in view.cohorts]
    writer.writerow([csv_cell(h) for h in header])
    for theme in [*view.themes, *view.not_useful]:
        row = [theme.label, str(theme.count),
               *((str(theme.sentiment[s]) if theme.sentiment else "kept back") for s in SENTIMENTS),
               "; ".join(theme.keywords), " | ".join(q["text"] for q in theme.quotes),
               "; ".join(m["label"] for m in theme.merged), "yes" if theme.is_new else "", "yes" if theme.not_useful else "",
               *(str(c) for c in theme.by_cohort)]
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")
