"""The participation core: what every activity (questionnaires, boards, user tests) shares. See surveys/__init__.py."""
