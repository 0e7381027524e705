"""Integration tokens: the database keeps only each token's SHA-256, never the token itself."""

from piccolo.columns import JSON, Integer, Timestamptz, Varchar
from piccolo.table import Table


class IntegrationToken(Table, help_text="A token another system uses to read /api/v1; scoped, revocable, audited."):
    name = Varchar(length=100, help_text="Which integration holds it, in the admin's words.")
    token_hash = Varchar(length=64, unique=True, index=True, help_text="SHA-256 of the token (hex); the token is shown once and never stored.")
    scopes = JSON(default=[], help_text="What it may read: results:read, themes:read, indicators:read …")
    created_by = Integer(null=True, default=None, help_text="The admin who made it (a staff user id).")
    created_at = Timestamptz()
    expires_at = Timestamptz(null=True, default=None, help_text="After this moment the token is refused; none = until revoked.")
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = Integer(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)
