"""Recording and reading the audit log."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

from app import clock
from app.audit.tables import AuditEvent
from app.spreadsheets import csv_cell


class AuditAction(str, Enum):
    password_accepted = "password_accepted"
    """The first step of signing in; a sign-in is complete only at login_succeeded."""
    login_succeeded = "login_succeeded"
    login_failed = "login_failed"
    login_locked = "login_locked"
    logout = "logout"
    mfa_enrolled = "mfa_enrolled"
    mfa_disabled = "mfa_disabled"
    mfa_failed = "mfa_failed"
    mfa_locked = "mfa_locked"
    recovery_code_used = "recovery_code_used"
    recovery_codes_regenerated = "recovery_codes_regenerated"
    password_changed = "password_changed"
    password_reset_requested = "password_reset_requested"
    password_reset_completed = "password_reset_completed"
    user_invited = "user_invited"
    invite_resent = "invite_resent"
    invite_accepted = "invite_accepted"
    user_updated = "user_updated"
    user_deactivated = "user_deactivated"
    user_reactivated = "user_reactivated"
    role_granted = "role_granted"
    role_revoked = "role_revoked"
    audit_exported = "audit_exported"
    data_exported = "data_exported"
    data_deleted = "data_deleted"
    safeguarding_viewed = "safeguarding_viewed"
    safeguarding_triaged = "safeguarding_triaged"
    contact_revealed = "contact_revealed"
    """The safeguarding lead read a participant's contact details (the reason is in the triage history)."""
    subject_access_exported = "subject_access_exported"
    participant_erased = "participant_erased"
    """A participant deleted their own answers with their receipt code (counts only)."""
    project_team_changed = "project_team_changed"
    project_status_changed = "project_status_changed"
    milestone_changed = "milestone_changed"
    board_meeting_changed = "board_meeting_changed"
    themes_started = "themes_started"
    """A theme run was asked for (the selection is in the run's row)."""
    report_edited = "report_edited"
    """A project's lead or deputy saved words in a highlight report draft."""
    report_submitted = "report_submitted"
    theme_edited = "theme_edited"
    """A person renamed, merged, marked or changed the quotes of a theme (detail: which edit)."""
    integration_token_created = "integration_token_created"
    integration_token_revoked = "integration_token_revoked"
    api_used = "api_used"
    """An integration token's first call of the day (UTC) to /api/v1 (detail: the path and scope)."""
    finding_created = "finding_created"
    finding_changed = "finding_changed"
    """A draft finding's words or evidence changed (detail: which change)."""
    finding_sent = "finding_sent"
    finding_answered = "finding_answered"
    finding_action_changed = "finding_action_changed"
    finding_published = "finding_published"
    """The participation lead published (or changed, or translated) a finding's "you said, we did"."""
    finding_withdrawn = "finding_withdrawn"
    """An action answering a finding was added or its progress changed."""
    study_participant_withdrawn = "study_participant_withdrawn"
    """A user-testing participant withdrew: their notes and results were deleted (detail: counts only)."""


# Detail keys that could carry a secret or a participant's words are refused outright.
FORBIDDEN_DETAIL_KEYS = ("password", "token", "secret", "code", "text", "answer", "body")
MAX_DETAIL_VALUE = 200


@dataclass(frozen=True)
class Actor:
    id: int | None
    email: str


async def record(
    action: AuditAction,
    *,
    actor: Actor | None = None,
    target_type: str = "",
    target_id: str | int = "",
    detail: dict[str, Any] | None = None,
    ip_address: str = "",
) -> None:
    """Append one entry. Detail values must be short facts, never secrets or free text."""
    await record_each(action, [target_id], actor=actor, target_type=target_type, detail=detail, ip_address=ip_address)


async def record_each(
    action: AuditAction,
    target_ids: list[str | int],
    *,
    actor: Actor | None = None,
    target_type: str = "",
    detail: dict[str, Any] | None = None,
    ip_address: str = "",
) -> None:
    """Append one entry per target in a single insert (a page showing many records, each seen)."""
    detail = detail or {}
    for key, value in detail.items():
        if any(word in key.lower() for word in FORBIDDEN_DETAIL_KEYS):
            raise ValueError(f"audit detail may not hold {key!r}")
        if isinstance(value, str) and len(value) > MAX_DETAIL_VALUE:
            raise ValueError(f"audit detail {key!r} is too long to be a fact")
    if not target_ids:
        return
    now = clock.now()
    await AuditEvent.insert(*(
        AuditEvent(
            occurred_at=now,
            actor_id=actor.id if actor else None,
            actor_email=actor.email if actor else "",
            action=action.value,
            target_type=target_type,
            target_id=str(target_id),
            detail=detail,
            ip_address=ip_address[:45],
        )
        for target_id in target_ids
    ))


@dataclass(frozen=True)
class AuditFilter:
    person: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def where(self):
        clauses = []
        if self.person:
            # Emails are stored lower-cased, so LIKE on the lower-cased term works on both engines.
            clauses.append(AuditEvent.actor_email.like(f"%{self.person.strip().lower()}%"))
        if self.action:
            clauses.append(AuditEvent.action == self.action)
        if self.date_from:
            clauses.append(AuditEvent.occurred_at >= datetime.combine(self.date_from, time.min, UTC))
        if self.date_to:
            end = datetime.combine(self.date_to, time.min, UTC) + timedelta(days=1)
            clauses.append(AuditEvent.occurred_at < end)
        return clauses


async def search(audit_filter: AuditFilter, *, limit: int = 200, offset: int = 0) -> tuple[list[dict], int]:
    """Matching entries, newest first, and how many match in all."""
    query = AuditEvent.select().order_by(AuditEvent.occurred_at, ascending=False).order_by(AuditEvent.id, ascending=False)
    count = AuditEvent.count()
    for clause in audit_filter.where():
        query = query.where(clause)
        count = count.where(clause)
    return await query.limit(limit).offset(offset).output(load_json=True), await count


CSV_COLUMNS = ("occurred_at", "actor_email", "action", "target_type", "target_id", "detail", "ip_address")


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        text = value.isoformat()
    elif isinstance(value, dict):
        text = json.dumps(value, sort_keys=True)
    else:
        text = str(value if value is not None else "")
    return csv_cell(text)


def to_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in CSV_COLUMNS])
    return buffer.getvalue()
