"""The optional "would you like someone to contact you?" on a survey's last page.

Anonymous by default: only surveys whose owner switched it on ask, the answer is never an answer
(it moves to `ContactRequest` when the response is stored), and only the safeguarding lead can
read it, on a flagged answer, with a recorded reason (`app.safeguarding.contact.reveal_contact`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from surveys.participation.text import N_, Message, TamperedForm, clean_text

CONTACT_LIMIT = 300
WANTED_FIELD, DETAILS_FIELD = "contact_wanted", "contact_details"
DETAILS_MISSING = N_("Tell us how to reach you, or choose No.")
TOO_LONG = N_("Please keep this under %(limit)s characters (you wrote %(count)s).")


@dataclass(frozen=True)
class ContactAnswer:
    wanted: str
    """"yes", "no" or "" (not answered: the same as no)."""
    details: str
    error: Message | None = None

    @property
    def to_store(self) -> str:
        return self.details if self.wanted == "yes" and self.error is None else ""


def take_contact(form: dict[str, list[str]], survey: Mapping) -> ContactAnswer | None:
    """Remove the contact fields from a page's form and read them (None when the page had none).
    On a survey that does not ask, they are something our pages could not have sent."""
    if WANTED_FIELD not in form and DETAILS_FIELD not in form:
        return None
    if not survey["ask_contact"]:
        raise TamperedForm("contact fields on a survey that does not ask for contact")
    wanted_values, details_values = form.pop(WANTED_FIELD, [""]), form.pop(DETAILS_FIELD, [""])
    if len(wanted_values) > 1 or len(details_values) > 1 or wanted_values[0] not in ("", "yes", "no"):
        raise TamperedForm("contact fields out of range")
    wanted, details = wanted_values[0], clean_text(details_values[0])
    if wanted != "yes":
        return ContactAnswer(wanted, details)
    if not details:
        return ContactAnswer(wanted, details, Message(DETAILS_MISSING))
    if len(details) > CONTACT_LIMIT:
        return ContactAnswer(wanted, details, Message(TOO_LONG, limit=f"{CONTACT_LIMIT:,}", count=f"{len(details):,}"))
    return ContactAnswer(wanted, details)
