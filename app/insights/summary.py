"""What the insights page, the CSV and the HTML summary show for a finished run: themes with
people's decisions applied, counts through the one suppression service, chart and map geometry."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from app.insights.sources import SourceItem
from app.insights.tables import Theme, ThemeMember
from surveys.participation.suppression import PRIMARY, protect_table
from surveys.questionnaires.results import Count, Viewer

SENTIMENTS = ("positive", "neutral", "negative")
# Colour and shape together: a theme is never told apart by colour alone.
MARKERS = ("circle", "square", "triangle", "diamond", "cross")
PALETTE = ("#1f5fa8", "#b8420f", "#2b7a3d", "#7a3d8f", "#8a6d00", "#0f6f73", "#a3264f", "#4d4d4d")
NO_COHORT = "(no answer)"


@dataclass
class ThemeView:
    id: int
    label: str
    found_label: str
    kind: str
    keywords: list[str]
    count: Count
    sentiment: dict[str, Count] | None
    """Positive/neutral/negative counts; None when shown nowhere (the theme or a part is kept back)."""
    quotes: list[dict]
    """{"text", "index", "pinned"} shown; hidden ones are left out (see `hidden_quotes`)."""
    hidden_quotes: list[dict]
    not_useful: bool
    is_new: bool
    renamed: bool
    merged: list[dict] = field(default_factory=list)
    """Themes merged into this one: {"id", "label"}."""
    by_cohort: list[Count] = field(default_factory=list)
    marker: str = "circle"
    colour: str = "#1f5fa8"
    number: int = 0


@dataclass
class RunView:
    themes: list[ThemeView]
    not_useful: list[ThemeView]
    total: Count
    cohorts: list[str]
    cohort_totals: list[Count]
    points: list[dict]
    threshold: int


def _count(value: int, hidden: str | None, threshold: int, viewer: Viewer) -> Count:
    if hidden is not None:
        return Count(None, None, threshold, hidden)
    return Count(value, None, threshold, small=value < threshold and viewer.reveal_small_groups)


async def build(run_id: int, items: list[SourceItem], *, viewer: Viewer, threshold: int,
                cohort_of: dict[int, str] | None = None, cohort_labels: list[str] | None = None,
                unknown_column: bool = True) -> RunView:
    """The run's themes as shown: merged themes counted in their target, "not useful" ones apart,
    theme × cohort counts suppressed as one table (complementary suppression), quotes as chosen."""
    rows = await Theme.select().output(load_json=True).where(Theme.run == run_id).order_by(Theme.position)
    by_id = {r["id"]: r for r in rows}
    items_by_id = {i.id: i for i in items}
    members: dict[int, list[int]] = {}
    positions: list[tuple[int, float, float]] = []
    for m in await ThemeMember.select(ThemeMember.theme, ThemeMember.item_id, ThemeMember.x, ThemeMember.y).where(ThemeMember.run == run_id):
        if m["item_id"] not in items_by_id:
            continue  # erased since (a receipt deletion) or now held: never counted or drawn
        target = by_id[m["theme"]]["merged_into"] or m["theme"]
        members.setdefault(target, []).append(m["item_id"])
        if m["x"] is not None:
            positions.append((target, m["x"], m["y"]))
    shown_rows = [r for r in rows if r["merged_into"] is None and members.get(r["id"])]
    cohorts = list(cohort_labels or []) if cohort_of is not None else []
    if cohort_of is not None and unknown_column:  # a split every item has (months) needs no "no answer" column
        cohorts.append(NO_COHORT)
    columns = cohorts or ["all"]
    table = [[sum(1 for i in members[r["id"]] if (cohort_of.get(i, NO_COHORT) if cohort_of is not None else "all") == c)
              for c in columns] for r in shown_rows]
    hidden = None if viewer.reveal_small_groups or not table else protect_table(table, threshold=threshold)

    def kept_back(kind: str, *index) -> str | None:
        if hidden is None:
            return None
        flag = {"cell": lambda i, j: hidden.cells[i][j], "row": lambda i: hidden.row_totals[i],
                "column": lambda j: hidden.column_totals[j], "grand": lambda: hidden.grand_total}[kind](*index)
        key = ("cell", *index) if kind == "cell" else ((kind, *index) if index else kind)
        return hidden.reasons.get(key, PRIMARY) if flag else None

    views = []
    for i, r in enumerate(shown_rows):
        ids = members[r["id"]]
        size = _count(len(ids), kept_back("row", i), threshold, viewer)
        labels = Counter(items_by_id[x].sentiment or "neutral" for x in ids)
        parts = {s: labels.get(s, 0) for s in SENTIMENTS}
        # The split is a breakdown of the theme's size: shown whole or not at all, so no small part
        # (0 included) can be shown or worked out.
        sentiment = None
        if not size.suppressed and (viewer.reveal_small_groups or all(v >= threshold for v in parts.values())):
            sentiment = {s: _count(v, None, threshold, viewer) for s, v in parts.items()}
        merged = [m for m in rows if m["merged_into"] == r["id"]]
        quotes, hidden_quotes = _quotes(r, merged) if not size.suppressed else ([], [])
        views.append(ThemeView(
            id=r["id"], label=r["label"], found_label=r["found_label"], kind=r["kind"],
            keywords=list(dict.fromkeys([*r["keywords"], *(k for m in merged for k in m["keywords"])]))[:8],
            count=size, sentiment=sentiment, quotes=quotes, hidden_quotes=hidden_quotes, not_useful=r["not_useful"],
            is_new=r["is_new"], renamed=r["renamed"], merged=[{"id": m["id"], "label": m["label"]} for m in merged],
            by_cohort=[_count(table[i][j], kept_back("cell", i, j), threshold, viewer) for j in range(len(columns))] if cohorts else [],
        ))
    useful = [v for v in views if not v.not_useful]
    for n, v in enumerate(useful):
        v.number, v.marker, v.colour = n + 1, MARKERS[n % len(MARKERS)], PALETTE[n % len(PALETTE)]
    drawn = {v.id: v for v in useful if not v.count.suppressed}
    points = [{"x": round(8 + 84 * x, 2), "y": round(8 + 84 * (1 - y), 2), "marker": drawn[t].marker, "colour": drawn[t].colour,
               "label": drawn[t].label, "number": drawn[t].number} for t, x, y in positions if t in drawn]
    grand = sum(len(v) for v in members.values())
    return RunView(
        themes=useful, not_useful=[v for v in views if v.not_useful],
        total=_count(grand, kept_back("grand"), threshold, viewer), cohorts=cohorts,
        cohort_totals=[_count(sum(row[j] for row in table), kept_back("column", j), threshold, viewer) for j in range(len(columns))] if cohorts else [],
        points=points, threshold=threshold,
    )


def _quotes(row: dict, merged: list[dict]) -> tuple[list[dict], list[dict]]:
    """Pinned first, then the model's choice, without hidden ones; merged themes' quotes after."""
    shown, hidden = [], []
    pinned = set(row["pinned_quotes"])
    for index, text in enumerate(row["quotes"]):
        entry = {"text": text, "index": index, "pinned": text in pinned, "theme": row["id"]}
        (hidden if text in row["hidden_quotes"] else shown).append(entry)
    for m in merged:
        shown += [{"text": t, "index": i, "pinned": t in m["pinned_quotes"], "theme": m["id"]}
                  for i, t in enumerate(m["quotes"]) if t not in m["hidden_quotes"]]
    shown.sort(key=lambda q: not q["pinned"])
    return shown[:5 + len(pinned)], hidden


@dataclass(frozen=True)
class ChartRow:
    label: str
    number: int
    text: str
    segments: list[dict]
    """{"key", "x", "width"} in percent of the chart's width."""


def size_chart(themes: list[ThemeView]) -> list[ChartRow]:
    """Bars of theme sizes split by sentiment, scaled to the largest shown theme; a kept-back
    theme draws no bar (its length would tell)."""
    largest = max((t.count.value for t in themes if t.count.value is not None), default=0)
    rows = []
    for t in themes:
        if t.count.value is None or not largest:
            rows.append(ChartRow(t.label, t.number, str(t.count), []))
            continue
        width = 100 * t.count.value / largest
        segments, x = [], 0.0
        if t.sentiment is None:
            segments.append({"key": "unsplit", "x": 0, "width": round(width, 2)})
        else:
            for key in SENTIMENTS:
                part = width * t.sentiment[key].value / t.count.value
                segments.append({"key": key, "x": round(x, 2), "width": round(part, 2)})
                x += part
        split = "" if t.sentiment is None else " (" + ", ".join(f"{t.sentiment[k]} {k}" for k in SENTIMENTS) + ")"
        rows.append(ChartRow(t.label, t.number, f"{t.count} answers{split}", segments))
    return rows
