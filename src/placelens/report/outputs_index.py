"""``out/index.html``: one page linking every output in a folder — place profiles (web page,
board brief PDF, full profile PDF), the functional-regions map and table, the collaboration
network tables and evaluation reports — found by looking at what is there."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import placelens
from placelens.geography.places import PlaceIndex
from placelens.report.files import profile_stem
from placelens.report.tables import template_environment

OTHER_OUTPUTS = [  # (folder or file pattern, heading, what it is)
    ("functional_regions.*", "Functional regions", "map and table of regions built from "
     "Census 2021 commuting"),
    ("networks/*", "Collaboration networks", "metrics, brokers and communities of funded R&D "
     "networks"),
    ("evaluations/*", "Evaluations", "synthetic-control and difference-in-differences "
     "reports with their evidence records"),
]


def profile_rows(out_dir: Path, places: PlaceIndex) -> list[dict]:
    """Every profile in the folder (``CODE_name.html``) with its PDFs, by type then name."""
    by_stem = {profile_stem(place): place for place in places.places.values()}
    rows = []
    for html in sorted(out_dir.glob("*.html")):
        if html.stem not in by_stem:
            continue
        brief, full = html.with_name(f"{html.stem}_brief.pdf"), html.with_suffix(".pdf")
        rows.append({"place": by_stem[html.stem], "html": html.name,
                     "brief": brief.name if brief.exists() else None,
                     "pdf": full.name if full.exists() else None})
    return sorted(rows, key=lambda r: (r["place"].area_type, r["place"].name))


def other_outputs(out_dir: Path) -> list[dict]:
    groups = []
    for pattern, heading, description in OTHER_OUTPUTS:
        files = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.glob(pattern)
                       if p.is_file())
        if files:
            groups.append({"heading": heading, "description": description, "files": files})
    return groups


def write_outputs_index(out_dir: Path, places: PlaceIndex) -> Path:
    """Write ``out_dir/index.html`` linking every profile and other output found there."""
    path = out_dir / "index.html"
    html = template_environment().get_template("index.html.j2").render(
        rows=profile_rows(out_dir, places), groups=other_outputs(out_dir),
        ogl=placelens.OGL_ATTRIBUTION, version=placelens.__version__,
        today=date.today().isoformat())
    path.write_text(html, encoding="utf-8")
    return path
