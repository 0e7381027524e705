"""The audit log page and its CSV export (administrators only), and the development outbox."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Template

from app.accounts.auth import requires
from app.accounts.roles import Permission
from app.accounts.tables import OutboxMessage
from app.audit import services
from app.audit.services import Actor, AuditAction, AuditFilter
from app.web.requests import AppSettings, client_ip, signed_in_user

PAGE_SIZE = 100


def _filter(person: str, action: str, date_from: date | None, date_to: date | None) -> AuditFilter:
    known = {a.value for a in AuditAction}
    return AuditFilter(person=person[:254], action=action if action in known else "", date_from=date_from, date_to=date_to)


class AuditController(Controller):
    path = "/admin/audit"
    tags = ["admin"]
    include_in_schema = False

    @get("/", name="audit_log", guards=requires(Permission.view_audit_log))
    async def audit_log(
        self, person: FromQuery[str] = "", action: FromQuery[str] = "", date_from: FromQuery[date | None] = None, date_to: FromQuery[date | None] = None, page: FromQuery[int] = 1
    ) -> Template:
        audit_filter = _filter(person, action, date_from, date_to)
        page = max(page, 1)
        rows, total = await services.search(audit_filter, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        return Template(
            "admin/audit.html",
            context={"rows": rows, "total": total, "filter": audit_filter, "actions": list(AuditAction), "page": page, "page_size": PAGE_SIZE},
        )

    @get("/export.csv", name="audit_export", guards=requires(Permission.export_audit_log))
    async def export(
        self, request: Request, person: FromQuery[str] = "", action: FromQuery[str] = "", date_from: FromQuery[date | None] = None, date_to: FromQuery[date | None] = None
    ) -> Response[str]:
        audit_filter = _filter(person, action, date_from, date_to)
        rows, total = await services.search(audit_filter, limit=1_000_000)
        user = signed_in_user(request)
        await services.record(
            AuditAction.audit_exported,
            actor=Actor(user.id, user.email),
            detail={"rows": total, "person": audit_filter.person, "action": audit_filter.action},
            ip_address=client_ip(request),
        )
        return Response(
            services.to_csv(rows),
            media_type="text/csv",  # Litestar adds "; charset=utf-8" to text/ types itself
            headers={"Content-Disposition": 'attachment; filename="chorus-audit.csv"'},
        )


class OutboxController(Controller):
    path = "/admin/outbox"
    tags = ["admin"]
    include_in_schema = False

    @get("/", name="outbox", guards=requires(Permission.view_outbox))
    async def outbox(self, settings: AppSettings) -> Template:
        if settings.is_production:
            raise NotFoundException()
        messages = await OutboxMessage.select().order_by(OutboxMessage.sent_at, ascending=False).limit(100)
        return Template("admin/outbox.html", context={"messages": messages})
