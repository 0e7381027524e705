"""Influence figures for boards (issue 12 item 7), after Lundy's model of participation: young people
had a voice (a finding was made from what they said), an audience (it reached a named decision-maker),
and influence (it was answered, and acted on). Per project, per board and for the partnership:

- reached: sent to a project (its named lead and deputy) or a board's meeting, out of every finding made;
- answered: answered (accepted or not taken forward), out of those sent;
- acted on: accepted with at least one action under way (progress above 0 %), out of those sent;
- days from voice to answer: the median, over answered findings, of the days from the earliest answer
  in the finding's evidence (when a young person spoke) to the recipients' answer.

These count findings, not people, so no small-number suppression applies; each share shows its
numerator and denominator.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from app.findings.tables import Answer, FindingAction, FindingEvidence, FindingState


@dataclass(frozen=True)
class Share:
    part: int
    whole: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.part / self.whole) if self.whole else None

    def __str__(self) -> str:
        return f"{self.percent}% ({self.part} of {self.whole})" if self.whole else "none yet"


@dataclass(frozen=True)
class Influence:
    label: str
    made: int
    reached: Share
    answered: Share
    acted_on: Share
    median_days_to_answer: float | None


async def _voice_dates(finding_ids: list[int]) -> dict[int, datetime]:
    """Each finding's earliest evidence answer: when a young person said it."""
    from surveys.questionnaires.tables import Response

    evidence = await FindingEvidence.select(FindingEvidence.finding, FindingEvidence.item_ids, FindingEvidence.survey_ids).output(
        load_json=True).where(FindingEvidence.finding.is_in(finding_ids or [-1]))
    items = {i for e in evidence for i in (e["item_ids"] or [])}
    surveys = {s for e in evidence if not e["item_ids"] for s in (e["survey_ids"] or [])}
    submitted = {r["id"]: r["submitted_at"] for r in await Response.select(Response.id, Response.submitted_at).where(
        Response.id.is_in(list(items) or [-1]))}
    first_by_survey = {}
    for survey_id in surveys:  # indicator evidence names waves, not answers: the wave's first answer
        first = await Response.select(Response.submitted_at).where(Response.survey == survey_id).order_by(Response.submitted_at).first()
        if first:
            first_by_survey[survey_id] = first["submitted_at"]
    dates: dict[int, datetime] = {}
    for e in evidence:
        found = [submitted[i] for i in (e["item_ids"] or []) if i in submitted] + [
            first_by_survey[s] for s in (e["survey_ids"] or []) if not e["item_ids"] and s in first_by_survey]
        if found:
            dates[e["finding"]] = min([*found, *([dates[e["finding"]]] if e["finding"] in dates else [])])
    return dates


def _figures(label: str, rows: list[dict], started: set[int], voices: dict[int, datetime]) -> Influence:
    sent = [r for r in rows if r["state"] == FindingState.sent]
    answered = [r for r in sent if r["answer"]]
    acted = [r for r in answered if r["answer"] == Answer.accepted and r["id"] in started]
    days = [(r["answered_at"] - voices[r["id"]]).total_seconds() / 86400 for r in answered if r["id"] in voices and r["answered_at"]]
    return Influence(label, len(rows), Share(len(sent), len(rows)), Share(len(answered), len(sent)), Share(len(acted), len(sent)),
                     round(statistics.median(days), 1) if days else None)


async def influence(rows: list[dict]) -> tuple[Influence, list[Influence], list[Influence]]:
    """Figures for all `rows` (findings as `services.finding_rows` gives them), then per project, then per board."""
    ids = [r["id"] for r in rows]
    started = {a["finding"] for a in await FindingAction.select(FindingAction.finding).where(
        FindingAction.finding.is_in(ids or [-1]), FindingAction.progress > 0)}
    voices = await _voice_dates(ids)
    by_project: dict[str, list[dict]] = {}
    by_board: dict[str, list[dict]] = {}
    for row in rows:
        if row["project"] is not None:
            by_project.setdefault(f"Project {row['project_reference']}: {row['project_focus']}", []).append(row)
        if row["board"] is not None:
            by_board.setdefault(row["board_name"], []).append(row)
    return (_figures("The partnership", rows, started, voices),
            [_figures(label, group, started, voices) for label, group in sorted(by_project.items())],
            [_figures(label, group, started, voices) for label, group in sorted(by_board.items())])


def bars(figures: list[Influence], measure: str):
    """Chart bars (surveys.participation.charts.Bar) of one share across projects or boards."""
    from surveys.participation.charts import Bar

    out = []
    for f in figures:
        share: Share = getattr(f, measure)
        out.append(Bar(f.label, str(share), float(share.percent or 0), False))
    return out
