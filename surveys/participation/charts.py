"""Chart geometry for server-rendered SVG: bars, diverging Likert bars and a weekly timeline.

Only numbers that survived suppression are drawn; a hidden count draws no bar (its length would
tell the number the label hides).
"""

from __future__ import annotations

from dataclasses import dataclass

from surveys.questionnaires.results import Row


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    length: float
    """Percent of the chart's width (0-100)."""
    suppressed: bool
    small: bool = False
    """A count under the threshold shown to someone who may see small groups: marked in words."""


def bars(rows: list[Row]) -> list[Bar]:
    """Horizontal bars scaled to the largest shown count."""
    largest = max((r.count.value for r in rows if r.count.value is not None), default=0)
    out = []
    for row in rows:
        if row.count.suppressed:
            out.append(Bar(row.label, str(row.count), 0.0, True))
            continue
        percent = f" ({row.count.percent:g}%)" if row.count.percent is not None else ""
        out.append(Bar(row.label, f"{row.count.value}{percent}", round(100 * row.count.value / largest, 2) if largest else 0.0, False,
                       row.count.small))
    return out


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    x: float
    width: float
    percent: float


def diverging(groups: list[Row]) -> list[Segment] | None:
    """Disagree to the left of the middle, agree to the right, neutral split across it; None
    when a group is hidden (a diverging bar's lengths would give it away)."""
    if not groups or any(g.count.suppressed for g in groups):
        return None
    total = sum(g.count.value for g in groups)
    if not total:
        return None
    share = {g.value: 100 * g.count.value / total for g in groups}
    labels = {g.value: g.label for g in groups}
    half_neutral = share["neutral"] / 2
    # Half the width per side: a side can hold 100% of answers.
    return [
        Segment("disagree", labels["disagree"], 50 - (half_neutral + share["disagree"]) / 2, share["disagree"] / 2, round(share["disagree"])),
        Segment("neutral", labels["neutral"], 50 - half_neutral / 2, share["neutral"] / 2, round(share["neutral"])),
        Segment("agree", labels["agree"], 50 + half_neutral / 2, share["agree"] / 2, round(share["agree"])),
    ]


@dataclass(frozen=True)
class Column:
    label: str
    text: str
    x: float
    width: float
    height: float
    suppressed: bool
    small: bool = False


def timeline(rows: list[Row]) -> list[Column]:
    """Vertical bars, one per week, in a 0-100 box."""
    if not rows:
        return []
    largest = max((r.count.value for r in rows if r.count.value is not None), default=0)
    width = 100 / len(rows)
    return [
        Column(r.label, str(r.count) + (" (small group)" if r.count.small else ""), i * width, width * 0.8,
               0.0 if r.count.suppressed or not largest else round(96 * r.count.value / largest, 2), r.count.suppressed, r.count.small)
        for i, r in enumerate(rows)
    ]
