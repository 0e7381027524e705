"""The partnership's structure: boards, workstreams, projects and outcomes."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from app.accounts.auth import PUBLIC
from app.governance import services
from app.governance.tables import OutcomeAudience

AUDIENCE_LABELS = {
    OutcomeAudience.children_young_people_families: "Children, young people and families",
    OutcomeAudience.workforce: "The workforce",
    OutcomeAudience.partnership: "The partnership (including the VCFS)",
}


class PartnershipController(Controller):
    path = "/partnership"
    tags = ["governance"]
    include_in_schema = False
    opt = PUBLIC  # the partnership's structure is public information

    @get("/", name="partnership")
    async def overview(self) -> Template:
        return Template(
            template_name="governance/partnership.html",
            context={
                "boards": await services.list_boards(),
                "workstreams": await services.list_workstreams(),
                "outcomes": await services.list_outcomes_by_audience(),
                "audience_labels": AUDIENCE_LABELS,
            },
        )
