"""The web observatory: public place, indicator and comparison pages, a read-only JSON API,
and partnership workspaces behind sign-in (``placelens serve``)."""
