"""Names and formats of the files reports are written to: profile file names (shared by the
writer and the outputs index) and tagged PDFs."""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path

from placelens.errors import PlacelensError
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


#: What a page with browser-drawn charts loads from ``assets/`` beside it, in order: Vega,
#: Vega-Lite and vega-embed (vendored from npm by ``make assets``) and placelens's script.
CHART_SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "profile-charts.js")


def copy_chart_scripts(out_dir: Path) -> None:
    """Put :data:`CHART_SCRIPTS` in ``out_dir/assets``; a file already there with the same
    size is kept, and each copy lands whole (written to a file of its own, then renamed), so
    parallel workers, processes or threads, can all call this."""
    assets = out_dir / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    for name in CHART_SCRIPTS:
        folder = ("placelens.report", "static") if name == "profile-charts.js" else \
            ("placelens.web", "static/vendor")
        source = resources.files(folder[0]) / folder[1] / name
        if not source.is_file():
            raise PlacelensError(f"{name} is not installed, so charts cannot be drawn in the "
                                 "browser: run `make assets`, or write the charts as SVG")
        data = source.read_bytes()
        target = assets / name
        if target.exists() and target.stat().st_size == len(data):
            continue
        handle, aside = tempfile.mkstemp(dir=assets, prefix=f".{name}.")  # one per writer
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(aside, target)
