"""Form bodies for the safeguarding pages. Fields default to blank, so a form sent without them gets its
message on the page, not a bare 400; oversized fields are refused (400) before any handler runs."""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.safeguarding.contact import REASON_LIMIT
from app.safeguarding.services import MAX_NOTE


class TriageForm(msgspec.Struct):
    to_state: Annotated[str, msgspec.Meta(max_length=20)] = ""
    # Room for a long note to reach the handler, which says it is too long on the form.
    note: Annotated[str, msgspec.Meta(max_length=MAX_NOTE * 2)] = ""
    version: Annotated[int, msgspec.Meta(ge=0)] = -1


class RevealForm(msgspec.Struct):
    # Room for an over-long reason to reach the handler, which says so on the form.
    reason: Annotated[str, msgspec.Meta(max_length=REASON_LIMIT * 2)] = ""
