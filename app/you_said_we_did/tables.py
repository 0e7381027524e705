"""Publications ("you said, we did") and the receipts whose holders asked to hear when one changes."""

from piccolo.columns import JSON, ForeignKey, Real, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.accounts.tables import StaffUser
from app.findings.tables import Finding
from surveys.questionnaires.tables import Response


class Publication(Table, help_text="A finding told back in plain language: what young people said and what was done."):
    finding = ForeignKey(Finding, unique=True, on_delete=OnDelete.cascade)
    said = Text(help_text="What young people said, in plain words (English).")
    did = Text(help_text="What was decided and done, in plain words (English).")
    quote_ids = JSON(default=[], help_text="The finding's quote evidence the lead chose to show (evidence ids).")
    translations = JSON(default={}, help_text='{"<language>": {"said": …, "did": …}} written by people, per language.')
    reading_age = Real(default=0.0, help_text="Reading age of said + did when last saved (analysis.readability).")
    published_by = ForeignKey(StaffUser, null=True, on_delete=OnDelete.set_null)
    published_at = Timestamptz()
    updated_at = Timestamptz()
    withdrawn_at = Timestamptz(null=True, default=None, help_text="Taken down: not shown, kept for the record.")


class ReceiptFollow(Table, help_text="A participant asked to hear, by email, when what happened to their answers changes."):
    # A foreign key, so the email goes when the answers go: erased with the receipt code, or by the retention purge.
    response = ForeignKey(Response, unique=True, on_delete=OnDelete.cascade)
    email = Varchar(length=254, help_text="Used only to send these updates; deleted with the answers or on request.")
    created_at = Timestamptz()
    told = JSON(default={}, help_text='{"<publication id>": "<its updated_at when last told>"}: each change is told once.')
