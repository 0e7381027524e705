"""Forms for publishing and following. Blank by default, so a form sent without a field gets its
message on the page; room for an over-long text to reach the service, which says how long it is."""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.you_said_we_did.services import MAX_TEXT

Text = Annotated[str, msgspec.Meta(max_length=MAX_TEXT * 2)]


class PublishForm(msgspec.Struct):
    said: Text = ""
    did: Text = ""
    quote: list[str] | str = ""

    def quote_ids(self) -> list[int]:
        values = [self.quote] if isinstance(self.quote, str) else self.quote
        return [int(v) for v in values if v.isdigit() and len(v) < 10]


class TranslationForm(msgspec.Struct):
    language: Annotated[str, msgspec.Meta(max_length=10)] = ""
    said: Text = ""
    did: Text = ""


class FollowForm(msgspec.Struct):
    receipt: Annotated[str, msgspec.Meta(max_length=40)] = ""
    email: Annotated[str, msgspec.Meta(max_length=320)] = ""
