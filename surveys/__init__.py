"""Everything participants take part in: questionnaires, live retrospectives, user testing, joining."""
