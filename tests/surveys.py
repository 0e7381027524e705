"""Helpers for survey tests: a small published survey with skip logic, and a participant's steps."""

from __future__ import annotations

import re
from dataclasses import replace

import httpx

from app.governance.services import load_structure
from surveys.participation.consent import NOTICE_VERSION
from surveys.questionnaires import building, definitions
from surveys.questionnaires.building import QuestionFields
from surveys.questionnaires.definition import Condition, Option
from surveys.questionnaires.tables import Audience, QuestionKind

YES_NO_NOT_SURE = ("yes", "no", "not_sure")


async def make_survey(*, publish: bool = True, code: str | None = None, **settings) -> int:
    """"Feeling safe": knows (yes/no, required) -> who (only if yes), area, then say (long text)."""
    await load_structure()
    survey_id = await building.create_survey({
        "title": "Feeling safe", "purpose": "Tell us how safe you feel.", "audience": Audience.young_people,
        "languages": ["en", "ur"], "consent_text": "Anonymous.", "local_contact": "Youth team 020 0000 0000",
        **settings,
    }, created_by=None, public_code=code)
    definition = await definitions.load_definition(survey_id)
    section = definition.sections[0].id

    async def ask(key, fields):
        return await building.add_question(survey_id, section, replace(fields, key=key))

    await ask("knows", QuestionFields(QuestionKind.yes_no, "Would you know who to talk to?", required=True, outcome=1))
    await ask("who", QuestionFields(QuestionKind.single_choice, "Who?", options=(Option("parent", "A parent"), Option("teacher", "A teacher")),
                                    show_if=Condition("knows", frozenset({"yes"}))))
    second = await building.add_section(survey_id, title="More")
    await building.add_question(survey_id, second, QuestionFields(QuestionKind.single_choice, "Where do you live?", key="area",
                                                                   options=(Option("north", "North"), Option("south", "South"))))
    await building.add_question(survey_id, second, QuestionFields(QuestionKind.long_text, "Anything else?", key="say"))
    if publish:
        await building.change_status(survey_id, "publish")
    return survey_id


def csrf(client: httpx.AsyncClient) -> str:
    return client.cookies.get("csrftoken", "")


AGREED = {"consent_version": NOTICE_VERSION, "age_band": "13_15"}
"""What the first page sends when a 13-to-15-year-old presses Start (the age is ignored where not asked)."""


async def start(client: httpx.AsyncClient, code: str, **fields) -> str:
    """Open the survey, choose an age of 13 to 15 and press Start: the address of the first page."""
    await client.get(f"/s/{code}")
    response = await client.post(f"/s/{code}/start", data={"_csrf_token": csrf(client), "lang": "en", **AGREED, **fields})
    assert response.status_code in (302, 303), response.text
    return response.headers["location"]


async def send(client: httpx.AsyncClient, page_url: str, page: int, action: str = "next", **fields) -> httpx.Response:
    data = {"_csrf_token": csrf(client), "page": str(page), "action": action, **fields}
    return await client.post(page_url.split("?")[0], data=data)


def receipt_in(html: str) -> str:
    return re.search(r'class="code"[^>]*><strong>([A-Z0-9-]+)</strong>', html).group(1)
