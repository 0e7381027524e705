"""Everything participants take part in: activities over one shared participation core.

- `participation/` — what every activity uses: small-number suppression, the participant layout's
  context (quick exit and signposting are in templates/participation/), i18n and its catalogs,
  participant text, strict form reading, codes people type, charts, consent, the contact question,
  receipts and retention.
- `questionnaires/` — the questionnaire activity: its tables (the Piccolo app still named
  `surveys`), definition, services by concern, participant and staff controllers, results, exports
  and indicators.
- Live retrospective boards and user-testing sessions join as sibling activities.
"""
