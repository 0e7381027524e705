"""Anonymous participants: a code and a cohort, consent before anything is noted, and withdrawal,
which deletes every note and result of theirs and is logged (the code, cohort and time stay, so
the log and the results' "n withdrawn" can name who left without saying anything they did)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app import clock
from app.audit.services import Actor, AuditAction, record
from app.database import write_transaction
from surveys.user_tests.errors import StudyError
from surveys.user_tests.tables import (
    CohortGroup,
    ConsentBy,
    IssueSighting,
    Observation,
    Study,
    StudyParticipant,
    SusResponse,
    TaskResult,
)

AGE_BANDS = ("7-10", "11-12", "13-15", "16-18", "19-25", "26+")
UNDER_13_BANDS = ("7-10", "11-12")
COHORT_LABELS = {CohortGroup.young_person.value: "Young person", CohortGroup.parent_carer.value: "Parent or carer",
                 CohortGroup.practitioner.value: "Practitioner"}
MAX_ACCESS_NEEDS = 200


@dataclass(frozen=True)
class ParticipantView:
    id: int
    study_id: int
    code: str
    age_band: str
    cohort_group: str
    access_needs: str
    consent_at: datetime | None
    consent_by: str
    withdrawn_at: datetime | None

    @property
    def consented(self) -> bool:
        return self.consent_at is not None and self.withdrawn_at is None

    @property
    def cohort_label(self) -> str:
        return COHORT_LABELS.get(self.cohort_group, self.cohort_group)


def _view(row: dict) -> ParticipantView:
    return ParticipantView(row["id"], row["study"], row["code"], row["age_band"], row["cohort_group"], row["access_needs"],
                           row["consent_at"], row["consent_by"], row["withdrawn_at"])


async def participants(study_id: int) -> list[ParticipantView]:
    return [_view(r) for r in await StudyParticipant.select().where(StudyParticipant.study == study_id).order_by(StudyParticipant.id)]


async def participant(study_id: int, participant_id: int) -> ParticipantView | None:
    row = await StudyParticipant.select().where((StudyParticipant.id == participant_id) & (StudyParticipant.study == study_id)).first()
    return _view(row) if row else None


def check_cohort(age_band: str, cohort_group: str, access_needs: str) -> dict[str, str]:
    errors = {}
    if age_band not in AGE_BANDS:
        errors["age_band"] = "Choose the participant's age band."
    if cohort_group not in COHORT_LABELS:
        errors["cohort_group"] = "Choose young person, parent or carer, or practitioner."
    if len(access_needs) > MAX_ACCESS_NEEDS:
        errors["access_needs"] = f"Keep access needs under {MAX_ACCESS_NEEDS} characters (no names or diagnoses needed)."
    return errors


async def add_participant(study_id: int, *, age_band: str, cohort_group: str, access_needs: str = "") -> ParticipantView:
    """A new participant with the next code (P01, P02 …): never a name."""
    if errors := check_cohort(age_band, cohort_group, access_needs):
        raise StudyError(next(iter(errors.values())))
    async with write_transaction():
        count = await StudyParticipant.count().where(StudyParticipant.study == study_id)
        row = StudyParticipant({StudyParticipant.study: study_id, StudyParticipant.code: f"P{count + 1:02d}",
                                StudyParticipant.age_band: age_band, StudyParticipant.cohort_group: cohort_group,
                                StudyParticipant.access_needs: access_needs.strip(), StudyParticipant.created_at: clock.now()})
        await row.save()
    return await participant(study_id, row.id)


async def record_consent(study_id: int, participant_id: int, *, agreed: bool, parent_carer: bool) -> None:
    """Record consent. A study for under-13s (or a participant in an under-13 age band) needs a
    parent's or carer's consent as well as the child's own agreement."""
    who = await participant(study_id, participant_id)
    if who is None:
        raise StudyError("There is no such participant in this study.")
    if who.withdrawn_at:
        raise StudyError(f"{who.code} has withdrawn: add them again as a new participant if they want to come back.")
    study = await Study.select(Study.under_13).where(Study.id == study_id).first()
    needs_parent = study["under_13"] or who.age_band in UNDER_13_BANDS
    if not agreed:
        raise StudyError("Tick that the participant has agreed to take part.")
    if needs_parent and not parent_carer:
        raise StudyError("This participant is under 13: tick that a parent or carer has given consent too.")
    await StudyParticipant.update({
        StudyParticipant.consent_at: clock.now(),
        StudyParticipant.consent_by: ConsentBy.parent_carer.value if needs_parent else ConsentBy.participant.value,
    }).where(StudyParticipant.id == participant_id)


async def require_consent(study_id: int, participant_id: int) -> ParticipantView:
    """The participant, if notes may be taken now: consent recorded and not withdrawn."""
    who = await participant(study_id, participant_id)
    if who is None:
        raise StudyError("There is no such participant in this study.")
    if who.withdrawn_at:
        raise StudyError(f"{who.code} has withdrawn: nothing more is recorded for them.")
    if who.consent_at is None:
        raise StudyError(f"Record {who.code}'s consent before taking any notes.")
    return who


async def withdraw(study_id: int, participant_id: int, *, actor: Actor, ip_address: str = "") -> dict[str, int]:
    """Withdraw a participant: delete their results, notes, issue sightings and SUS in one
    transaction, mark them withdrawn, and log it (counts only). Returns what was deleted."""
    who = await participant(study_id, participant_id)
    if who is None:
        raise StudyError("There is no such participant in this study.")
    if who.withdrawn_at:
        raise StudyError(f"{who.code} has already withdrawn.")
    async with write_transaction():
        deleted = {}
        for name, table in (("results", TaskResult), ("notes", Observation), ("issues", IssueSighting), ("sus", SusResponse)):
            deleted[name] = await table.count().where(table.participant == participant_id)
            await table.delete().where(table.participant == participant_id)
        await StudyParticipant.update({StudyParticipant.withdrawn_at: clock.now()}).where(StudyParticipant.id == participant_id)
        await record(AuditAction.study_participant_withdrawn, actor=actor, target_type="study_participant", target_id=participant_id,
                     detail={"study": study_id, "participant": who.code, **deleted}, ip_address=ip_address)
    return deleted
