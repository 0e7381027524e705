"""Safeguarding: every screened disclosure reaches a designated safeguarding lead, and only them."""
