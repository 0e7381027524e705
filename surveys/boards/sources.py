"""“Send to insights”: board cards as a theme source, with the same shape as
`app.insights.sources.SurveyQuestionSource`, so a project's cards join its themes."""

from __future__ import annotations

from dataclasses import dataclass

from app.insights.sources import SourceError, SourceItem
from surveys.boards.tables import BoardCard, CardStatus, RetroBoard


@dataclass(frozen=True)
class BoardCardsSource:
    """The shown cards of every board linked to one project (held and declined cards never)."""

    project_id: int
    kind: str = "board_cards"

    @property
    def key(self) -> str:
        return f"boards:project:{self.project_id}"

    def parameters(self) -> dict:
        return {"project": self.project_id}

    @classmethod
    def from_parameters(cls, parameters: dict) -> BoardCardsSource:
        return cls(int(parameters["project"]))

    async def items(self) -> list[SourceItem]:
        boards = [row["id"] for row in await RetroBoard.select(RetroBoard.id).where(RetroBoard.project == self.project_id)]
        if not boards:
            raise SourceError("No board is linked to this project.")
        rows = await BoardCard.select(BoardCard.id, BoardCard.text, BoardCard.created_at, BoardCard.sentiment).where(
            BoardCard.board.is_in(boards) & (BoardCard.status == CardStatus.shown)).order_by(BoardCard.id)
        return [SourceItem(row["id"], row["text"], row["created_at"], row["sentiment"]) for row in rows]
