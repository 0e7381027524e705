"""Staff pages for theory-of-change indicators: /outcomes and /outcomes/{number}."""

from __future__ import annotations

from functools import partial

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from app.accounts.auth import requires
from app.accounts.roles import Permission
from app.web.requests import AppSettings, signed_in_user
from surveys.questionnaires import indicators, statistics
from surveys.questionnaires.staff_controllers import may_see_results


class OutcomeIndicatorController(Controller):
    path = "/outcomes"
    tags = ["outcomes"]
    include_in_schema = False
    guards = requires(Permission.view_results)

    async def _series(self, request: Request, settings) -> list[indicators.LoadedSeries]:
        """The series whose surveys this person may see the results of (as on the survey list)."""
        return await indicators.load_series(threshold=settings.small_group_threshold,
                                            may_see=partial(may_see_results, signed_in_user(request)))

    @get("/", name="outcomes")
    async def index(self, request: Request, settings: AppSettings) -> Template:
        loaded = await self._series(request, settings)
        pages = [indicators.outcome_page(o, loaded) for o in await indicators.list_outcomes()]
        return Template("questionnaires/staff/outcomes.html", context={"pages": pages})

    @get("/{number:int}", name="outcome_indicators")
    async def outcome(self, request: Request, settings: AppSettings, number: FromPath[int]) -> Template:
        outcome = await indicators.get_outcome(number) if 0 < number < 1000 else None
        if outcome is None:
            raise NotFoundException("There is no such outcome: the theory of change has outcomes 1 to 12.")
        page = indicators.outcome_page(outcome, await self._series(request, settings))
        return Template("questionnaires/staff/outcome.html", context={
            "page": page, "threshold": settings.small_group_threshold,
            "min_per_wave": statistics.MIN_PER_WAVE, "min_expected": statistics.MIN_EXPECTED,
        })
