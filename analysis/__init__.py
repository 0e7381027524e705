"""Chorus text analysis: a pure library (no web framework, no database) with a CLI."""
