"""Simple detection of personal details in text about to be published (docs/qualitative.md):
e-mail addresses, UK telephone numbers and UK postcodes. A warning, not a guarantee: names and
other identifying details are for the publisher to check."""

from __future__ import annotations

import re

PATTERNS = {
    "e-mail address": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    "telephone number": re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|0)(?:\d[\s-]?){9,10}\b"),
    "postcode": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I),
}


def personal_details(text: str) -> list[tuple[str, str]]:
    """(kind, text) of each e-mail address, telephone number and postcode found.

    Parameters
    ----------
    text
        The text to publish.

    Returns
    -------
    list of tuple
        In the order of :data:`PATTERNS`, then of position.
    """
    return [(kind, match.group().strip()) for kind, pattern in PATTERNS.items()
            for match in pattern.finditer(text)]
