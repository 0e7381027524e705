"""User-testing sessions with young people and families (issue 14): studies, tasks, consent and
withdrawal, run mode on a tablet, SUS in standard or children's words, results with small-sample
statistics (analysis.usability), the report, and observations that join the themes."""
