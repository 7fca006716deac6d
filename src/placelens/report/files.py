"""Names and formats of the files reports are written to: profile file names (shared by the
writer and the outputs index) and tagged PDFs."""

from __future__ import annotations

from pathlib import Path

from placelens.geography.places import Place
from placelens.user_files import safe_stem


def slug(name: str) -> str:
    """A lower-case file-name part from a place name."""
    return safe_stem(name.lower(), 60)


def profile_stem(place: Place) -> str:
    """``CODE_name``: the file name (without extension) of a place's profile."""
    return f"{safe_stem(place.code)}_{slug(place.name)}"


def pdf_bytes(html: str, base: Path | None = None) -> bytes:
    """``html`` as a tagged PDF (PDF/UA-1: headings, tables and reading order for screen
    readers)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(base or ".")).write_pdf(pdf_variant="pdf/ua-1")


def write_pdf(html: str, path: Path, base: Path | None = None) -> Path:
    """``html`` as a tagged PDF at ``path``."""
    path.write_bytes(pdf_bytes(html, base or path.parent))
    return path
