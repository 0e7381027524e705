"""The questionnaire activity: surveys built by staff and answered by participants. See surveys/__init__.py."""
