"""The layers stay visible: analysis is pure, geography does not reach up into analysis, and
opening the warehouse to read does not import the build's source modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "placelens"


def _imports(path: Path) -> set[str]:
    """Every placelens module a file imports, at any level (including inside functions)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n.startswith("placelens")}


def test_analysis_imports_nothing_above_it():
    allowed = ("placelens.analysis", "placelens.errors")
    for path in (PACKAGE / "analysis").glob("*.py"):
        above = {n for n in _imports(path) if not n.startswith(allowed)}
        assert not above, f"{path.name} imports {sorted(above)}"


def test_geography_does_not_import_analysis():
    for path in (PACKAGE / "geography").glob("*.py"):
        assert not {n for n in _imports(path) if n.startswith("placelens.analysis")}, path.name


def test_code_behind_derived_tables_never_imports_presentation_packages():
    """The derived tables' fingerprint leaves out report, web and cli: it may only while
    nothing else imports them (a changed template must not hide a changed method)."""
    from placelens.warehouse.derived import PRESENTATION_PACKAGES

    presentation = tuple(f"placelens.{name}" for name in PRESENTATION_PACKAGES)
    for path in PACKAGE.rglob("*.py"):
        inside = path.relative_to(PACKAGE).parts
        if inside[0] in PRESENTATION_PACKAGES or inside == ("api.py",) or \
                inside == ("derive.py",):
            continue  # the API and derive wire services together; they compute nothing
        reaching = {n for n in _imports(path) if n.startswith(presentation)}
        assert not reaching, f"{'/'.join(inside)} imports {sorted(reaching)}"


def test_reading_the_warehouse_imports_no_source_module():
    code = ("import sys; from placelens.warehouse import Warehouse; "
            "print(','.join(sorted(m for m in sys.modules if m.startswith("
            "('placelens.sources', 'shapely', 'rich')))))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == ""


def test_results_travel_in_dataclasses_not_dataframe_attrs():
    for path in PACKAGE.rglob("*.py"):
        code = [line for line in path.read_text(encoding="utf-8").splitlines()
                if not line.lstrip().startswith(("#", '"', "``"))]
        assert not any(".attrs[" in line or ".attrs.update" in line for line in code), path


def test_method_docs_cited_by_the_code_are_in_the_repository():
    import re

    root = PACKAGE.parents[1]
    cited = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "METHODS §" not in text, f"{path.name} cites a document outside the repository"
        cited |= set(re.findall(r"docs/methods/\w+\.md", text))
    assert len(cited) >= 5
    for doc in cited:
        assert (root / doc).exists(), doc


def test_modules_and_functions_stay_small():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert text.count("\n") <= 400, f"{path.name}: {text.count(chr(10))} lines"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1 - _docstring_lines(node)
                assert length <= 60, f"{path.name}:{node.lineno} {node.name} has {length} lines"


def _docstring_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of the function's docstring (documentation is not code to keep short)."""
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and \
            isinstance(first.value.value, str):
        return first.end_lineno - first.lineno + 1
    return 0


def test_cli_choices_mirror_the_services():
    from placelens.analysis import did, staggered_did
    from placelens.analysis import functional_regions as fr
    from placelens.analysis.opportunities import RANKINGS
    from placelens.cli import common
    from placelens.evidence_terms import INTERVENTION_TYPES, OUTCOME_DOMAINS
    from placelens.report.charts import CHART_MODES
    from placelens.scale.backends import BACKENDS
    from placelens.services.comparators import COMPARATOR_METHODS
    from placelens.services.complexity import ORIENTATIONS
    from placelens.services.economy import UK_REFERENCES
    from placelens.services.regions import LEVELS

    for choice, allowed in ((common.RegionMethod, fr.METHODS),
                            (common.Control, staggered_did.CONTROLS),
                            (common.Ranking, RANKINGS), (common.Orientation, ORIENTATIONS),
                            (common.UKReference, UK_REFERENCES),
                            (common.SmallSample, did.SMALL_SAMPLE),
                            (common.BasePeriod, staggered_did.BASES),
                            (common.ChartMode, CHART_MODES),
                            (common.ComparatorMethod, COMPARATOR_METHODS),
                            (common.InterventionType, tuple(INTERVENTION_TYPES)),
                            (common.OutcomeDomain, OUTCOME_DOMAINS),
                            (common.Backend, BACKENDS)):
        assert tuple(c.value for c in choice) == tuple(allowed), choice.__name__
    assert tuple(c.value.upper() for c in common.RegionLevel) == tuple(LEVELS)


def test_cached_tables_cannot_be_changed_through_what_callers_get(observatory):
    first = observatory.indicators.table("gva_per_hour_gbp")
    first.loc[first.index[0], "value"] = -1.0
    first["value"] = 0.0
    again = observatory.indicators.table("gva_per_hour_gbp")
    assert (again["value"] > 0).all()
    lq = observatory.economy.lad_gva_totals("2023")
    lq.iloc[0] = -5.0
    assert (observatory.economy.lad_gva_totals("2023") > 0).all()


def test_public_analysis_functions_have_numpydoc_sections():
    for path in (PACKAGE / "analysis").glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                doc = ast.get_docstring(node) or ""
                assert "Parameters\n" in doc and "Returns\n" in doc, f"{path.name}:{node.name}"
