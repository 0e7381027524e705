"""Finding a survey: by id, by the codes participants use, the staff list, and whether it takes answers now.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from app import clock
from surveys.participation.codes import normalise_code
from surveys.questionnaires.tables import (
    Response,
    Survey,
    SurveyStatus,
)


class SurveyUnavailable(Exception):
    """The survey cannot be answered now; `reason` says why in participant-friendly terms."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


async def get_survey(survey_id: int) -> dict | None:
    return await Survey.select().where(Survey.id == survey_id).output(load_json=True).first()


async def list_surveys(*, include_archived: bool = False) -> list[dict]:
    query = Survey.select(
        Survey.id, Survey.title, Survey.status, Survey.audience, Survey.public_code, Survey.join_code,
        Survey.updated_at, Survey.project.reference, Survey.project,
    ).order_by(Survey.updated_at, ascending=False)
    if not include_archived:
        query = query.where(Survey.status != SurveyStatus.archived)
    rows = await query
    counts = {r["survey"]: r["count"] for r in await Response.raw("SELECT survey, COUNT(*) AS count FROM response GROUP BY survey")}
    return [{**row, "responses": counts.get(row["id"], 0)} for row in rows]


async def response_count(survey_id: int) -> int:
    return await Response.count().where(Response.survey == survey_id)


# Every participant request looks its survey up by code: SQL written once rather than built by Piccolo
# each time (building the select was about a tenth of a participant page's CPU in issue 9's profile).
_SURVEY_BY_PUBLIC_CODE = f"SELECT * FROM {Survey._meta.tablename} WHERE {Survey.public_code._meta.db_column_name} = {{}} LIMIT 1"


_SURVEY_JSON_COLUMNS = [c._meta.db_column_name for c in Survey._meta.json_columns]


async def survey_by_public_code(code: str) -> dict | None:
    """The survey row (JSON columns decoded, as a Piccolo select with load_json gives), or None."""
    rows = await Survey.raw(_SURVEY_BY_PUBLIC_CODE, code.strip().lower()[:40])
    if not rows:
        return None
    survey = dict(rows[0])
    for column in _SURVEY_JSON_COLUMNS:
        if isinstance(survey[column], str):
            survey[column] = json.loads(survey[column])
    return survey


async def survey_by_join_code(typed: str) -> dict | None:
    return await Survey.select(Survey.public_code, Survey.status).where(Survey.join_code == normalise_code(typed)[:8]).first()


async def check_open(survey: Mapping) -> None:
    """Raise SurveyUnavailable unless the survey takes answers right now."""
    now = clock.now()
    if survey["status"] in (SurveyStatus.draft, SurveyStatus.archived):
        raise SurveyUnavailable("not_found")
    if survey["status"] == SurveyStatus.closed or (survey["closes_at"] and now >= survey["closes_at"]):
        raise SurveyUnavailable("closed")
    if survey["opens_at"] and now < survey["opens_at"]:
        raise SurveyUnavailable("not_open_yet")
    if survey["response_cap"] and await response_count(survey["id"]) >= survey["response_cap"]:
        raise SurveyUnavailable("full")
