"""The one error the user-testing services raise: its message is shown to staff as it is."""


class StudyError(ValueError):
    """Input refused with a message saying what to fix; nothing was stored."""
