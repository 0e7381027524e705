"""An "attacker" for small-number suppression, written apart from `surveys.participation.suppression` on purpose.

It knows what any reader of a results page or results.json knows: every shown figure, that hidden
ones are "<t" (0 to t-1) or "hidden" (t or more), that no count is negative, and which figures add up
to which (a breakdown to its total, a timeline to the response count, a cross-tab's rows and
columns to the questions' counts). It then tries every sum and difference: Gaussian elimination
over all the lines at once (exact fractions), plus "the rest add up to their least or greatest
possible value", until nothing new comes out. What it pins down exactly, it reports.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction

Line = tuple[str, Sequence[str]]
"""(total, parts): the total is the sum of the parts."""


def recover(figures: Mapping[str, int | str | None], lines: Sequence[Line], *, threshold: int) -> dict[str, int]:
    """Every figure not shown as a number that the published ones pin to one value.

    figures: label -> a shown number, "<t" (under the threshold), "hidden" (hidden to protect
    another), or None (never published, e.g. "asked but skipped")."""
    known: dict[str, Fraction] = {k: Fraction(v) for k, v in figures.items() if isinstance(v, int)}
    labels = sorted({k for total, parts in lines for k in (total, *parts)} | set(figures))
    low = {k: Fraction(0) for k in labels}
    high: dict[str, float | Fraction] = {k: math.inf for k in labels}
    for k, v in figures.items():
        if v == f"<{threshold}":
            high[k] = Fraction(threshold - 1)
        elif v == "hidden":
            low[k] = Fraction(threshold)
    signed = [[(total, 1)] + [(p, -1) for p in parts] for total, parts in lines]
    while True:
        found = _by_elimination(signed, known) | _by_bounds(signed, known, low, high)
        found = {k: v for k, v in found.items() if k not in known}
        if not found:
            return {k: int(v) for k, v in known.items() if not isinstance(figures.get(k), int)}
        known.update(found)


def _by_elimination(signed, known) -> dict[str, Fraction]:
    unknowns = sorted({k for line in signed for k, _ in line if k not in known})
    column = {k: i for i, k in enumerate(unknowns)}
    rows = []
    for line in signed:
        row = [Fraction(0)] * (len(unknowns) + 1)
        for k, sign in line:
            if k in known:
                row[-1] -= sign * known[k]
            else:
                row[column[k]] += sign
        if any(row[:-1]):
            rows.append(row)
    # Reduced row echelon form: a row left with one unknown is a sum or difference that pins it.
    pivot_row = 0
    for col in range(len(unknowns)):
        pivot = next((r for r in range(pivot_row, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[pivot_row], rows[pivot] = rows[pivot], rows[pivot_row]
        lead = rows[pivot_row][col]
        rows[pivot_row] = [x / lead for x in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
    found = {}
    for row in rows:
        nonzero = [i for i, x in enumerate(row[:-1]) if x != 0]
        if len(nonzero) == 1:
            found[unknowns[nonzero[0]]] = row[-1] / row[nonzero[0]]
    return found


def _by_bounds(signed, known, low, high) -> dict[str, Fraction]:
    """A line whose unknowns all count the same way and must sit at their least (or greatest) sum."""
    found = {}
    for line in signed:
        unknown = [(k, s) for k, s in line if k not in known]
        if not unknown or len({s for _, s in unknown}) != 1:
            continue
        sign = unknown[0][1]
        rest = -sum(s * known[k] for k, s in line if k in known) * sign  # what the unknowns add up to
        if rest == sum(low[k] for k, _ in unknown):
            found.update({k: low[k] for k, _ in unknown})
        elif all(high[k] != math.inf for k, _ in unknown) and rest == sum(high[k] for k, _ in unknown):
            found.update({k: high[k] for k, _ in unknown})
    return found


def percent_base(count: int, percent: float) -> int | None:
    """The base a shown count and its percentage give away, when only one whole number fits."""
    bases = [b for b in range(max(count, 1), 100_000) if round(100 * count / b, 1) == percent]
    return bases[0] if len(bases) == 1 else None


def survey_lines(document: Mapping, survey: Mapping) -> tuple[dict[str, int | str | None], list[Line]]:
    """What results.json publishes, as figures and the lines a reader knows tie them.

    survey: {"required": {keys}, "conditions": {key: (parent key, [values])}} from the survey's own
    definition (a reader of the page knows which questions were required and when each was asked)."""
    figures: dict[str, int | str | None] = {"responses": document["responses"]}
    lines: list[Line] = []
    weeks = [f"week {w['week']}" for w in document["timeline"]]
    figures.update({f"week {w['week']}": w["responses"] for w in document["timeline"]})
    if weeks:
        lines.append(("responses", weeks))
    if document["modes"]:
        figures.update({f"mode {m}": n for m, n in document["modes"].items()})
        lines.append(("responses", [f"mode {m}" for m in document["modes"]]))
    if document["unfinished_by_page"]:
        figures["unfinished"] = document["unfinished"]
        figures.update({f"stopped {p}": n for p, n in document["unfinished_by_page"].items()})
        lines.append(("unfinished", [f"stopped {p}" for p in document["unfinished_by_page"]]))
    for q in document["questions"]:
        key = q["key"]
        for part, field in (("asked", "shown"), ("answered", "answered"), ("declined", "declined")):
            figures[f"{key}.{part}"] = q[field]
        missing = [f"{key}.declined"]
        if key not in survey["required"]:
            figures[f"{key}.skipped"] = None
            missing.append(f"{key}.skipped")
        lines.append((f"{key}.asked", [f"{key}.answered", *missing]))
        if key in survey["conditions"]:
            figures[f"{key}.not asked"] = None
            lines.append(("responses", [f"{key}.asked", f"{key}.not asked"]))
            missing.append(f"{key}.not asked")
            parent, values = survey["conditions"][key]
            lines.append((f"{key}.asked", [f"{parent}={v}" for v in values]))
        else:
            lines.append(("responses", [f"{key}.asked"]))
        figures[f"{key}.no answer"] = None
        lines.append((f"{key}.no answer", missing))
        counts = q["counts"] or {}
        figures.update({f"{key}={v}": n for v, n in counts.items()})
        if counts and q["kind"] == "multiple_choice":
            for v in counts:
                figures[f"{key}!={v}"] = None
                lines.append((f"{key}.answered", [f"{key}={v}", f"{key}!={v}"]))
        elif counts:
            lines.append((f"{key}.answered", [f"{key}={v}" for v in counts]))
        if q.get("feelings"):
            figures.update({f"{key}~{f}": n for f, n in q["feelings"].items()})
            lines.append((f"{key}.answered", [f"{key}~{f}" for f in q["feelings"]]))
        if q["free_text"]:
            # A list of answers is a count of them, and of each label shown beside them.
            figures[f"{key}.listed"] = len(q["free_text"])
            lines.append((f"{key}.answered", [f"{key}.listed"]))
            for feeling in {t["sentiment"] for t in q["free_text"] if t["sentiment"]}:
                figures[f"{key}.listed~{feeling}"] = sum(1 for t in q["free_text"] if t["sentiment"] == feeling)
                lines.append((f"{key}~{feeling}", [f"{key}.listed~{feeling}"]))
    crosstab = document.get("crosstab")
    if crosstab:
        by, of = crosstab["by"], crosstab["of"]
        of_kind = next(q["kind"] for q in document["questions"] if q["key"] == of)
        of_options = sorted({v for q in document["questions"] if q["key"] == of for v in (q["counts"] or {})}
                            | {o for g in crosstab["groups"].values() for o in (g["counts"] or {})})
        groups = list(crosstab["groups"])
        rows = {g: f"{by}={g}" for g in groups} | {"none": f"{by}.no answer"}
        for g, body in crosstab["groups"].items():
            figures[f"{by}={g}"] = _same(figures.get(f"{by}={g}"), body["size"])
        for g, size in rows.items():
            answered = f"x {g}.answered"
            figures[answered] = None
            figures[f"x {g}.no answer"] = None
            lines.append((size, [answered, f"x {g}.no answer"]))
            cells = [f"x {g}={o}" for o in of_options]
            shown = (crosstab["groups"].get(g) or {}).get("counts") or {}
            figures.update({f"x {g}={o}": shown.get(o) for o in of_options})
            if of_kind == "multiple_choice":
                for o in of_options:
                    figures[f"x {g}!={o}"] = None
                    lines.append((answered, [f"x {g}={o}", f"x {g}!={o}"]))
            else:
                lines.append((answered, cells))
        lines.append((f"{of}.answered", [f"x {g}.answered" for g in rows]))
        lines.append((f"{of}.no answer", [f"x {g}.no answer" for g in rows]))
        for o in of_options:
            lines.append((f"{of}={o}", [f"x {g}={o}" for g in rows]))
    return figures, lines


def _same(first, second):
    assert first is None or first == second, f"one figure, two values: {first} and {second}"
    return second


def hidden_recovered(figures, lines, *, threshold: int) -> dict[str, int]:
    """What the attack pins that should have stayed hidden: any hidden figure, and any unpublished
    one under the threshold."""
    recovered = recover(figures, lines, threshold=threshold)
    return {k: v for k, v in recovered.items() if figures.get(k) is not None or v < threshold}
