"""Profiles and the command line, end to end on the real warehouse."""

import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from placelens.cli import app
from placelens.report.profile import ProfileBuilder

runner = CliRunner()


def run(warehouse_path, *args):
    """Invoke the CLI against the test warehouse."""
    return runner.invoke(app, [*args, "--warehouse", str(warehouse_path)])


@pytest.fixture(scope="module")
def builder(observatory):
    return ProfileBuilder(observatory)


def test_profile_html_has_every_section_and_attribution(builder, observatory, tmp_path):
    paths = builder.write(observatory.place("Cardiff"), tmp_path, pdf=False)
    html = paths["html"].read_text(encoding="utf-8")
    for section in ("headline", "innovation", "specialisation", "shift-share", "map",
                    "sources"):
        assert f'id="{section}"' in html
    assert "Open Government Licence v3.0" in html and "Contains OS data" in html
    assert html.count("<svg") >= 4 and html.count('role="img"') >= 4
    assert "W06000015" in html and "£37.0" in html  # Cardiff GVA per hour 2022


def test_browser_charts_draw_from_specs_without_rendering_svg(builder, observatory, tmp_path,
                                                             monkeypatch):
    import json

    import vl_convert

    def no_svg(*_args, **_kwargs):
        raise AssertionError("an HTML page with browser charts rendered SVG")

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", no_svg)
    paths = builder.write(observatory.place("Cardiff"), tmp_path, pdf=False,
                          charts_mode="browser")
    html = paths["html"].read_text(encoding="utf-8")
    specs = re.findall(r'<div class="chart" data-chart><script type="application/json">(.*?)'
                       r'</script>', html, re.S)
    assert len(specs) >= 4 and "<svg" not in html
    titles = [json.loads(spec)["title"]["text"] for spec in specs]
    titles = [" ".join(t) if isinstance(t, list) else t for t in titles]  # wrapped titles
    for title in titles:                  # each chart is one image named by its title
        assert f'role="img" aria-label="{title}"' in html.replace("&#39;", "'")
    for script in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js",
                   "profile-charts.js"):
        assert f'<script src="assets/{script}" defer>' in html
        assert (tmp_path / "assets" / script).stat().st_size > 500
    with pytest.raises(ValueError, match="charts must be one of 'svg', 'browser'"):
        builder.write(observatory.place("Cardiff"), tmp_path, pdf=False, charts_mode="png")


def test_chart_scripts_are_copied_whole_even_by_parallel_writers(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from placelens.report.files import CHART_SCRIPTS, copy_chart_scripts

    with ThreadPoolExecutor(4) as pool:                   # four workers at once
        list(pool.map(lambda _: copy_chart_scripts(tmp_path), range(4)))
    sizes = {name: (tmp_path / "assets" / name).stat().st_size for name in CHART_SCRIPTS}
    assert sorted(p.name for p in (tmp_path / "assets").iterdir()) == sorted(CHART_SCRIPTS)
    cut = tmp_path / "assets" / "vega.min.js"             # a copy left truncated is replaced
    cut.write_bytes(cut.read_bytes()[:1000])
    copy_chart_scripts(tmp_path)
    assert cut.stat().st_size == sizes["vega.min.js"]


def test_profile_pdf_for_a_combined_authority(builder, observatory, tmp_path):
    paths = builder.write(observatory.place("Greater Manchester"), tmp_path, pdf=True,
                          charts_mode="browser")      # the PDF still embeds SVG charts
    assert "<svg" not in paths["html"].read_text(encoding="utf-8")
    assert paths["pdf"].read_bytes()[:5] == b"%PDF-"
    assert paths["pdf"].stat().st_size > 50_000


def test_cli_profile_and_index(warehouse_path, tmp_path):
    result = runner.invoke(app, ["profile", "Cornwall", "PL_TEST_TEES", "--html-only",
                                 "--out", str(tmp_path), "--warehouse", str(warehouse_path)])
    assert result.exit_code == 0, result.output
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Cornwall" in index and "Test Tees Partnership" in index


def _placelens(*args: str) -> subprocess.CompletedProcess:
    """The command in a process of its own: the worker pool it starts must not share this
    test process (where a browser test may serve pages from a thread)."""
    return subprocess.run([sys.executable, "-m", "placelens.cli", *args], capture_output=True,
                          text=True, timeout=600)


def test_profiles_from_worker_processes_equal_those_written_here(warehouse_path, builder,
                                                                 observatory, tmp_path):
    result = _placelens("profile", "Cardiff", "Hartlepool", "--html-only", "--jobs", "2",
                        "--out", str(tmp_path / "workers"), "--warehouse", str(warehouse_path))
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("Cardiff", "Hartlepool"):
        here = builder.write(observatory.place(name), tmp_path / "here", pdf=False)["html"]
        there = tmp_path / "workers" / here.name
        assert there.read_text(encoding="utf-8") == here.read_text(encoding="utf-8")


def test_a_failing_worker_profile_names_the_place(warehouse_path, tmp_path):
    blocked = tmp_path / "out"
    blocked.write_text("a file where the output folder should be")
    result = _placelens("profile", "Cardiff", "Hartlepool", "--html-only", "--jobs", "2",
                        "--out", str(blocked), "--warehouse", str(warehouse_path))
    assert result.returncode == 2
    said = " ".join((result.stdout + result.stderr).split())
    assert re.search(r"the profile of (Cardiff \(W06000015\)|Hartlepool \(E06000001\)) "
                     r"failed: .*File exists", said), said


def test_cli_unknown_place_suggests(warehouse_path, tmp_path):
    result = runner.invoke(app, ["profile", "Cardif", "--out", str(tmp_path),
                                 "--warehouse", str(warehouse_path)])
    assert result.exit_code == 2
    assert "Cardiff (W06000015" in re.sub(r"\s+", " ", result.output)


def test_cli_metrics_export(warehouse_path, tmp_path):
    out = tmp_path / "lq.csv"
    result = runner.invoke(app, ["metrics", "lq", "--out", str(out), "--warehouse",
                                 str(warehouse_path)])
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines()[0] == "area_code,period,industry_code,lq"
    bad = runner.invoke(app, ["metrics", "lq", "--out", str(tmp_path / "x.txt"),
                              "--warehouse", str(warehouse_path)])
    assert bad.exit_code == 2 and ".csv, .parquet or .xlsx" in bad.output


def test_cli_missing_warehouse_is_clear(tmp_path):
    result = runner.invoke(app, ["places", "search", "x", "--warehouse",
                                 str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2 and "placelens data build" in result.output


def test_cli_download_rejects_unknown_source_and_missing_industries(tmp_path):
    result = runner.invoke(app, ["data", "download", "nowhere", "--to", str(tmp_path)])
    assert result.exit_code == 2 and "choose one of" in result.output
    result = runner.invoke(app, ["data", "download", "nomis-bres", "--to",
                                 str(tmp_path / "b.csv")])
    assert result.exit_code == 2 and "--industries is required" in result.output


def test_wrapped_table_reads_across_in_rank_order():
    import pandas as pd

    from placelens.report.profile import _wrap_columns

    table = pd.DataFrame({"Area": list("abcdefg"), "v": range(7)})
    wrapped = _wrap_columns(table, 3)
    assert wrapped.shape == (3, 6)
    assert wrapped.iloc[0, [0, 2, 4]].tolist() == ["a", "b", "c"]
    assert wrapped.iloc[2, [0, 2, 4]].tolist() == ["g", "", ""]


def test_map_table_counts_districts_once(builder, observatory):
    section = builder.map(observatory.place("Birmingham"))
    west_midlands = observatory.place("TLG")
    assert section["rows"] == len(west_midlands.members) == len(section["table"]["data"])


def test_cli_complexity_commands(warehouse_path, tmp_path):
    out = tmp_path / "eci.csv"
    result = run(warehouse_path, "complexity", "eci", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "GVA per hour" in result.output
    assert len(out.read_text().splitlines()) == 362  # header + 361 districts
    result = run(warehouse_path, "complexity", "opportunities", "Cardiff", "--top", "2")
    assert result.exit_code == 0 and "Often found with" in result.output
    result = run(warehouse_path, "complexity", "backtest", "--draws", "50")
    assert result.exit_code == 0 and "AUC" in result.output
    result = run(warehouse_path, "complexity", "clusters", "Belfast")
    assert result.exit_code == 2  # Northern Ireland is outside the GB SIC tables


def test_profile_has_the_complexity_section(builder, observatory):
    from placelens.report.complexity_section import complexity

    section = complexity(observatory, observatory.place("Cardiff"), builder.period)
    assert 1 <= section["rank"] <= 361 and section["region"].startswith("East Wales")
    assert len(section["opportunities"]["data"]) == 6
    assert float(section["backtest"]["rca"].split()[0]) > 0.5


def test_cli_benchmark_commands(warehouse_path):
    result = run(warehouse_path, "benchmark", "explain", "Cardiff")
    assert result.exit_code == 0, result.output
    assert "Cardiff (W06000015)" in result.output and "rank" in result.output
    result = run(warehouse_path, "benchmark", "neighbours", "Cornwall", "--k", "3")
    assert result.exit_code == 0 and "Districts most like Cornwall" in result.output
    result = run(warehouse_path, "benchmark", "index", "--draws", "50", "--type", "CA")
    assert result.exit_code == 0 and "11 places of type CA" in result.output
    result = run(warehouse_path, "benchmark", "explain", "E47000001")
    assert result.exit_code == 0 and "rank" in result.output and "of 11 combined" in \
        result.output


def test_profile_benchmark_section_for_a_district_and_a_combined_authority(builder,
                                                                           observatory):
    from placelens.report.benchmark_sections import benchmarking

    lad = benchmarking(observatory, observatory.place("Cardiff"))
    assert lad["own"] and lad["lad"] and len(lad["neighbours"]["data"]) == 10
    assert lad["type"].startswith("urban")
    versus = lad["versus_neighbours"]
    assert len(versus["data"]) == 10 and versus["data"][0][3].endswith("of 11")
    itl3 = benchmarking(observatory, observatory.place("TLD33"))
    assert itl3["own"] and not itl3["lad"] and itl3["change"] is not None
    ca = benchmarking(observatory, observatory.place("Greater Manchester"))
    assert ca["own"] and ca["combined"] and ca["unit"] == "combined authorities"
    assert len(ca["members"]["data"]) == 10 and len(ca["neighbours"]["data"]) == 10
    assert ca["ranked"] == 11
    side = ca["side_by_side"]["data"]
    assert side[0][0] == "▶ Greater Manchester Combined Authority" and len(side) == 12
    assert side[-1][0] == "median of comparators"
    uk = benchmarking(observatory, observatory.place("United Kingdom"))
    assert not uk["own"] and "only 1" in uk["reason"]


def test_profile_functional_region_section(builder, observatory, warehouse_path):
    section = builder.functional_region(observatory.place("Greater Manchester"))
    assert section["available"] and len(section["summary"]["data"]) >= 1
    assert len(section["districts"]["data"]) == 10
    assert not builder.functional_region(observatory.place("Belfast"))["available"]
    result = run(warehouse_path, "regions", "show", "Cardiff")
    assert result.exit_code == 0 and "self-containment" in result.output


def test_source_lines_and_the_sources_table_come_from_the_warehouse(observatory, builder):
    label = observatory.indicators.source_label("ons_rgva_lad_2025", "ukri_gtr_2018_04")
    release = observatory.warehouse.table("sources").set_index("source_id").loc[
        "ons_rgva_lad_2025", "release"]
    assert label.startswith("ONS, Regional gross value added") and release in label
    assert "; UK Research and Innovation, Gateway to Research" in label
    with pytest.raises(KeyError, match="not in the warehouse"):
        observatory.indicators.source_label("made_up_2099")
    listed = {s["source_id"] for s in builder.sources()}
    assert listed == set(observatory.warehouse.table("sources")["source_id"])


def test_cli_cells_are_formatted_for_people():
    import numpy as np

    from placelens.cli.common import cell

    assert cell(np.int64(1234567)) == "1,234,567" and cell(np.float64("nan")) == "–"
    assert [cell(v) for v in (617982854.970, 1234.5, 123.45, 2.2698, 0.07179, float("nan"),
                              None, 42, "text")] == \
        ["617,982,855", "1,234", "123.5", "2.27", "0.072", "–", "–", "42", "text"]


def test_printed_tables_keep_whole_numbers_whole(capsys):
    import pandas as pd

    from placelens.cli.common import write_table

    # a row mixing whole numbers and fractions: pandas' iterrows would make 7 a float ("7.00")
    write_table(pd.DataFrame({"studies": [7, 12], "share": [0.4, 0.25]}, index=["a", "b"]),
                None, "Mixed")
    printed = capsys.readouterr().out
    assert "7.00" not in printed and " 7 " in printed and "0.400" in printed


def test_cli_indicator_catalogue(warehouse_path):
    result = runner.invoke(app, ["indicators", "gva_per_hour", "--warehouse",
                                 str(warehouse_path)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "gva_per_hour_gbp" in result.output and "Open Government Licence v3.0" in \
        result.output and "nan" not in result.output
