"""Qualitative data: the project model and REFI-QDA exchange (docs/qualitative.md)."""
