"""A study's observations and quotes as a theme source ("send to insights"): the same runs, themes
and findings as survey answers. Notes held for the safeguarding lead and withdrawn participants'
notes (deleted at withdrawal) are never among the items."""

from __future__ import annotations

from dataclasses import dataclass

from app.insights.sources import SourceItem
from surveys.user_tests.tables import Observation


@dataclass(frozen=True)
class StudyObservationSource:
    """Every observation and quote of one study, from participants who have not withdrawn."""

    study_id: int
    kind: str = "study_observations"

    @property
    def key(self) -> str:
        return f"user_test:{self.study_id}"

    def parameters(self) -> dict:
        return {"study": self.study_id}

    @classmethod
    def from_parameters(cls, parameters: dict) -> StudyObservationSource:
        return cls(int(parameters["study"]))

    async def items(self) -> list[SourceItem]:
        rows = await Observation.select(Observation.id, Observation.text, Observation.observed_at, Observation.sentiment).where(
            (Observation.participant.study == self.study_id) & (Observation.participant.withdrawn_at.is_null())
            & ((Observation.held == False) | (Observation.released == True))  # noqa: E712
        ).order_by(Observation.id)
        return [SourceItem(r["id"], r["text"], r["observed_at"], r["sentiment"]) for r in rows if r["text"].strip()]

