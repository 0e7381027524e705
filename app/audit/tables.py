"""The audit log: rows are added, never changed or removed.

The app has no path that updates or deletes a row (the query methods below refuse), and database
triggers refuse UPDATE and DELETE as well, on SQLite and PostgreSQL alike.
"""

from piccolo.columns import JSON, Integer, Timestamptz, Varchar
from piccolo.table import Table


class AuditLogIsAppendOnly(RuntimeError):
    """Raised on any attempt to change or remove an audit entry."""


class AuditEvent(Table, help_text="Who did what to what, and when. Never holds passwords, tokens or participants' words."):
    occurred_at = Timestamptz(index=True)
    actor_id = Integer(null=True, default=None, help_text="The staff user, if any (kept as a number: users are never deleted).")
    actor_email = Varchar(length=254, default="", index=True, help_text="The actor's email at the time.")
    action = Varchar(length=50, index=True)
    target_type = Varchar(length=30, default="")
    target_id = Varchar(length=64, default="")
    detail = JSON(default={})
    ip_address = Varchar(length=45, default="")

    @classmethod
    def update(cls, *args, **kwargs):
        raise AuditLogIsAppendOnly("audit entries cannot be changed")

    @classmethod
    def delete(cls, *args, **kwargs):
        raise AuditLogIsAppendOnly("audit entries cannot be removed")

    def save(self, columns=None):
        if self._exists_in_db:
            raise AuditLogIsAppendOnly("audit entries cannot be changed")
        return super().save(columns)

    def remove(self):
        raise AuditLogIsAppendOnly("audit entries cannot be removed")
