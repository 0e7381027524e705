"""The one error the user-testing services raise: its message is shown to staff as it is, and
translated on the participant's SUS page where it is a Message."""

from surveys.participation.text import Refused


class StudyError(Refused):
    """Input refused with a message saying what to fix; nothing was stored."""
