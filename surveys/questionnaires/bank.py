"""The question bank: questions saved from one survey to reuse in another.
"""

from __future__ import annotations

from app import clock
from surveys.questionnaires.building import BuildError, QuestionFields, add_question, question_or_fail
from surveys.questionnaires.definition import (
    Option,
)
from surveys.questionnaires.tables import (
    BankQuestion,
    QuestionKind,
)


async def save_to_bank(question_id: int) -> int:
    row = await question_or_fail(question_id)
    bank = BankQuestion(kind=row["kind"], text=row["text"], hint=row["hint"], options=row["options"],
                        allow_other=row["allow_other"], faces=row["faces"], outcome=row["outcome"], created_at=clock.now())
    await bank.save()
    return bank.id


async def add_from_bank(survey_id: int, section_id: int, bank_id: int) -> int:
    row = await BankQuestion.select(BankQuestion.all_columns(), BankQuestion.outcome.number).where(
        BankQuestion.id == bank_id).output(load_json=True).first()
    if row is None:
        raise BuildError("There is no such question in the bank.")
    return await add_question(survey_id, section_id, QuestionFields(
        kind=QuestionKind(row["kind"]), text=row["text"], hint=row["hint"],
        options=tuple(Option(o["value"], o["label"]) for o in row["options"]),
        allow_other=row["allow_other"], faces=row["faces"], outcome=row["outcome.number"]))


async def bank_questions() -> list[dict]:
    return await BankQuestion.select(
        BankQuestion.all_columns(), BankQuestion.outcome.number, BankQuestion.outcome.statement
    ).order_by(BankQuestion.outcome.number).order_by(BankQuestion.id).output(load_json=True)
