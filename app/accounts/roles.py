"""Staff roles and what each may do: the one matrix that guards, pages and docs follow.

docs/guides/roles.md is generated from MATRIX by `chorus users matrix` and checked by a test.
"""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    admin = "admin"
    participation_lead = "participation_lead"
    facilitator = "facilitator"
    project_lead = "project_lead"
    board_member = "board_member"
    safeguarding_lead = "safeguarding_lead"
    analyst = "analyst"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.admin: "Administrator",
    Role.participation_lead: "Participation lead",
    Role.facilitator: "Facilitator",
    Role.project_lead: "Project lead",
    Role.board_member: "Board member",
    Role.safeguarding_lead: "Designated safeguarding lead",
    Role.analyst: "Analyst",
}

# Roles whose holders must use a second factor before they can do anything.
MFA_REQUIRED = frozenset({Role.admin, Role.safeguarding_lead})
# Roles that are scoped to particular governance records.
SCOPED_ROLES = {Role.project_lead: "project", Role.board_member: "board"}


class Permission(str, Enum):
    use_staff_area = "use_staff_area"
    manage_users = "manage_users"
    view_audit_log = "view_audit_log"
    export_audit_log = "export_audit_log"
    view_outbox = "view_outbox"
    # Granted now so later issues' routes have a place in the matrix from the start.
    build_surveys = "build_surveys"
    run_retrospectives = "run_retrospectives"
    view_results = "view_results"
    view_small_groups = "view_small_groups"
    view_raw_free_text = "view_raw_free_text"
    export_data = "export_data"
    review_insights = "review_insights"
    route_findings = "route_findings"
    respond_to_findings = "respond_to_findings"
    triage_safeguarding = "triage_safeguarding"
    answer_subject_access = "answer_subject_access"
    manage_governance = "manage_governance"
    update_project_status = "update_project_status"
    manage_integrations = "manage_integrations"


PERMISSION_DESCRIPTIONS = {
    Permission.use_staff_area: "Sign in, see the staff home, change own password and second factor",
    Permission.manage_users: "Invite staff, change their roles and scopes, deactivate accounts",
    Permission.view_audit_log: "Read the audit log",
    Permission.export_audit_log: "Export the audit log as CSV",
    Permission.view_outbox: "Read the development mail outbox (development only)",
    Permission.build_surveys: "Build, publish and close surveys",
    Permission.run_retrospectives: "Run live retrospectives and co-design sessions",
    Permission.view_results: "See aggregated results (groups under 5 suppressed); project leads and board members only for their own projects and boards",
    Permission.view_small_groups: "See groups smaller than the suppression threshold",
    Permission.view_raw_free_text: "Read free text before personal details are redacted",
    Permission.export_data: "Export responses (CSV, XLSX, JSON, SPSS)",
    Permission.review_insights: "Review themed insights and rename, merge or split themes",
    Permission.route_findings: "Send findings to project leads and boards, publish 'you said, we did'",
    Permission.respond_to_findings: "Answer findings with actions, for own projects and boards",
    Permission.triage_safeguarding: "See safeguarding-flagged text and triage alerts",
    Permission.answer_subject_access: "Export everything held for a participant's receipt code (subject access request)",
    Permission.manage_governance: "Name project leads and deputies, set board meeting dates",
    Permission.update_project_status: "Set a project's RAG status and milestones; project leads only for their own projects",
    Permission.manage_integrations: "Create and revoke API tokens for other systems (read-only, suppressed data)",
}

R = Role
MATRIX: dict[Permission, frozenset[Role]] = {
    Permission.use_staff_area: frozenset(Role),
    Permission.manage_users: frozenset({R.admin}),
    Permission.view_audit_log: frozenset({R.admin}),
    Permission.export_audit_log: frozenset({R.admin}),
    Permission.view_outbox: frozenset({R.admin}),
    Permission.build_surveys: frozenset({R.participation_lead, R.facilitator}),
    Permission.run_retrospectives: frozenset({R.participation_lead, R.facilitator}),
    Permission.view_results: frozenset(
        {R.participation_lead, R.facilitator, R.analyst, R.project_lead, R.board_member}
    ),
    Permission.view_small_groups: frozenset({R.participation_lead, R.analyst}),
    Permission.view_raw_free_text: frozenset({R.participation_lead, R.safeguarding_lead}),
    Permission.export_data: frozenset({R.participation_lead, R.analyst}),
    Permission.review_insights: frozenset({R.participation_lead, R.analyst}),
    Permission.route_findings: frozenset({R.participation_lead}),
    Permission.respond_to_findings: frozenset({R.project_lead, R.board_member}),
    Permission.triage_safeguarding: frozenset({R.safeguarding_lead}),
    Permission.answer_subject_access: frozenset({R.admin}),
    Permission.manage_governance: frozenset({R.admin, R.participation_lead}),
    Permission.update_project_status: frozenset({R.participation_lead, R.project_lead}),
    Permission.manage_integrations: frozenset({R.admin}),
}
del R


def roles_with(permission: Permission) -> frozenset[Role]:
    return MATRIX[permission]


def allows(roles: frozenset[Role] | set[Role], permission: Permission) -> bool:
    return bool(MATRIX[permission] & set(roles))


def matrix_markdown() -> str:
    """The matrix as a Markdown table, for docs/guides/roles.md."""
    header = "| permission | " + " | ".join(r.label for r in Role) + " |"
    rule = "|---|" + "---|" * len(Role)
    rows = [
        f"| {PERMISSION_DESCRIPTIONS[p]} (`{p.value}`) | "
        + " | ".join("✓" if r in MATRIX[p] else "" for r in Role)
        + " |"
        for p in Permission
    ]
    return "\n".join([header, rule, *rows])
