"""Data you can trust to be whole: a damaged warehouse, unknown codes, arguments out of range,
path characters, non-finite values and operating-system errors are refused with a clear
message and never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from placelens.cli import app
from placelens.errors import DataFormatError, InvalidChoiceError, WarehouseCorruptError
from placelens.user_files import safe_stem
from placelens.warehouse import Warehouse

runner = CliRunner()


def run(warehouse_path, *args):
    return runner.invoke(app, [*args, "--warehouse", str(warehouse_path)])


def test_a_file_that_is_not_a_warehouse_is_refused_with_how_to_rebuild(tmp_path):
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"not a database at all\n" * 100)
    with pytest.raises(WarehouseCorruptError, match="Rebuild it with `placelens data build`"):
        Warehouse(garbage)
    foreign = tmp_path / "foreign.duckdb"
    with duckdb.connect(str(foreign)) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
    with pytest.raises(WarehouseCorruptError, match="not a placelens warehouse"):
        Warehouse(foreign)


def test_damage_inside_a_table_is_found_by_verify(tmp_path, warehouse_path):
    damaged = tmp_path / "damaged.duckdb"
    shutil.copy(warehouse_path, damaged)
    size = damaged.stat().st_size
    with damaged.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(np.random.default_rng(0).bytes(200_000))
    with pytest.raises(WarehouseCorruptError, match="damaged"):
        Warehouse(damaged).verify()
    result = run(damaged, "data", "verify")
    assert result.exit_code == 2 and "Rebuild it" in result.output


def test_a_table_with_rows_missing_is_caught_when_opened(tmp_path, warehouse_path):
    short = tmp_path / "short.duckdb"
    shutil.copy(warehouse_path, short)
    with duckdb.connect(str(short)) as con:
        con.execute("DELETE FROM observations WHERE area_code = 'E06000001'")
    with pytest.raises(WarehouseCorruptError, match="table observations has .* rows; the "
                       "build wrote"):
        Warehouse(short)


@pytest.mark.parametrize("args, message", [
    (["metrics", "lq", "--period", "1850", "--out", "{tmp}/lq.csv"],
     "GVA period '1850' is not a published period; choose one of 1998–2023"),
    (["complexity", "backtest", "--start", "2018", "--end", "2015"],
     "start '2018' must come before end '2015'"),
    (["benchmark", "emerging", "--start", "2023", "--end", "2018"],
     "start '2023' must come before end '2018'"),
    (["places", "list", "--type", "FOO"], "place type must be one of 'LAD'"),
    (["profile", "Birmingham", "--type", "FOO", "--out", "{tmp}"],
     "place type must be one of 'LAD'"),
])
def test_arguments_out_of_range_are_refused_naming_what_is_allowed(warehouse_path, tmp_path,
                                                                   args, message):
    result = run(warehouse_path, *[a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2 and message in " ".join(result.output.split())
    assert not (tmp_path / "lq.csv").exists()


def test_a_backwards_shift_share_is_refused(observatory):
    with pytest.raises(InvalidChoiceError, match="start '2023' must come before end '2013'"):
        observatory.economy.shift_share(observatory.place("Leeds"), "2023", "2013")


def test_api_calls_with_none_or_numbers_say_what_is_wrong(observatory):
    from placelens.errors import UnknownPlaceError

    for value in (None, 42, ""):
        with pytest.raises(UnknownPlaceError):
            observatory.place(value)
    with pytest.raises(InvalidChoiceError, match="place type"):
        observatory.benchmark.innovation_index(area_type=5)


def test_names_with_path_characters_stay_inside_the_output_folder(tmp_path):
    from placelens.geography.area_sets import read_area_sets

    assert safe_stem("PL_A/../../B") == "PL_A_B" and safe_stem("../..") == "unnamed"
    assert safe_stem("scm_Basque Country (Pais Vasco)_1975") == \
        "scm_Basque_Country_Pais_Vasco_1975"
    crafted = tmp_path / "crafted.yaml"
    crafted.write_text("code: PL_A/../../B\nname: Escape\nmembers: [E06000001]\n")
    with pytest.raises(DataFormatError, match="must be PL_ followed by capital letters"):
        read_area_sets(crafted)


def test_panels_and_flows_with_blank_or_infinite_values_are_refused(tmp_path):
    from placelens.analysis import functional_regions as fr
    from placelens.services.evaluation import csv_panel

    panel = tmp_path / "panel.csv"
    panel.write_text("unit,year,y\nA,2000,1.0\nA,2001,\nB,2000,2.0\nB,2001,3.0\n")
    with pytest.raises(DataFormatError, match=r"panel.csv, row 3, column 'y': y is nan for "
                       "'A'"):
        csv_panel(panel, "unit", "year", "y")
    panel.write_text("unit,year,y\nA,2000,1.0\nA,2001,inf\n")
    with pytest.raises(DataFormatError, match="row 3, column 'y': y is inf"):
        csv_panel(panel, "unit", "year", "y")
    flows = pd.DataFrame({"origin": ["a", "b"], "destination": ["b", "a"],
                          "count": [1.0, np.inf]})
    with pytest.raises(DataFormatError, match="row 3, column 'count': count is not finite"):
        fr.flow_table(flows, source="flows.csv")


def test_an_unknown_district_code_stops_the_build(tmp_path, datapack, warehouse_path):
    import hashlib

    from placelens.warehouse import build_warehouse

    previous = tmp_path / "previous.duckdb"
    shutil.copy(warehouse_path, previous)
    before = hashlib.sha256(previous.read_bytes()).hexdigest()
    mirror = tmp_path / "datapack"
    shutil.copytree(datapack, mirror, copy_function=os.symlink)
    relative = "lookups/ons_sam_lad_dec2023_uk_area_hectares.csv"
    target = mirror / relative
    target.unlink()
    text = (datapack / relative).read_text(encoding="utf-8-sig")
    target.write_text(text.replace("E06000001", "E06999999", 1), encoding="utf-8")
    with pytest.raises(DataFormatError, match="district code 'E06999999' is not a LAD code"):
        build_warehouse(previous, mirror, show_progress=False,
                        accept_changed={relative})
    assert hashlib.sha256(previous.read_bytes()).hexdigest() == before


def test_operating_system_errors_are_one_line_not_a_traceback(warehouse_path, tmp_path):
    """An output folder that cannot be created (under /proc), a warehouse whose folder is a
    file."""
    command = [sys.executable, "-m", "placelens.cli", "profile", "Hartlepool", "--html-only",
               "--out", "/proc/placelens-out", "--warehouse", str(warehouse_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "Error:" in done.stderr and "Traceback" not in done.stderr + done.stdout
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    done = subprocess.run([sys.executable, "-m", "placelens.cli", "data", "build",
                           "--warehouse", str(not_a_folder / "w.duckdb")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 2, done.stderr
    assert "Error:" in done.stderr and "Traceback" not in done.stderr + done.stdout


def test_a_postcode_given_two_districts_is_refused(tmp_path):
    from placelens.sources.codepoint_open import read_postcodes

    lookup = tmp_path / "postcodes.csv"
    lookup.write_text("postcode,lad_code\nWC1E 6BT,E09000007\nWC1E 6BT,E09000033\n"
                      "SW1A 1AA,E09000033\n")
    with pytest.raises(DataFormatError, match="postcode 'WC1E6BT' is given two different "
                       "districts"):
        read_postcodes(lookup)


def _mirror_with(datapack, tmp_path, relative, data: bytes):
    mirror = tmp_path / "datapack"
    shutil.copytree(datapack, mirror, copy_function=os.symlink)
    (mirror / relative).unlink()
    (mirror / relative).write_bytes(data)
    return mirror


def test_negative_flows_and_totals_are_refused(tmp_path, datapack):
    import gzip

    from placelens.sources import census2021_commuting, ons_area_measurements, ons_geography
    from placelens.warehouse import build_warehouse

    flows = "census2021_commuting_od/ODWP01EW_LTLA.csv.gz"
    lines = gzip.decompress((datapack / flows).read_bytes()).decode("utf-8").splitlines(True)
    last = lines[-1].rsplit(",", 1)                    # a commuting flow (indicator 3)
    lines[-1] = f"{last[0]},-{last[1]}"
    mirror = _mirror_with(datapack, tmp_path / "flows", flows,
                          gzip.compress("".join(lines).encode("utf-8")))
    hectares = "lookups/ons_sam_lad_dec2023_uk_area_hectares.csv"
    table = pd.read_csv(datapack / hectares, dtype=str, encoding="utf-8-sig")
    table.loc[0, "AREALHECT"] = "-" + table.loc[0, "AREALHECT"]
    mirror_area = _mirror_with(datapack, tmp_path / "area", hectares,
                               table.to_csv(index=False).encode("utf-8"))
    for module, folder, relative in ((census2021_commuting, mirror, flows),
                                     (ons_area_measurements, mirror_area, hectares)):
        with pytest.raises(DataFormatError, match="negative") as info:
            build_warehouse(tmp_path / "w.duckdb", folder, show_progress=False,
                            modules=[ons_geography, module], verify_manifest=False)
        assert relative.split("/")[0] in str(info.value)


@pytest.mark.parametrize("coordinates, message", [
    ([["-1.2", "x"], ["-1.1", "54.7"], ["-1.0", "54.6"], ["-1.2", "x"]],
     "geometry is not valid GeoJSON"),
    ([[450000, 530000], [451000, 531000], [452000, 530000], [450000, 530000]],
     "outside the UK"),
])
def test_boundaries_with_text_or_projected_coordinates_are_refused(tmp_path, coordinates,
                                                                   message):
    import json

    from placelens.sources.boundaries import read_features

    path = tmp_path / "lads.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"LAD23CD": "E06000001"},
        "geometry": {"type": "Polygon", "coordinates": [coordinates]}}]}))
    with pytest.raises(DataFormatError, match=f"feature 1 \\(E06000001\\): .*{message}"):
        read_features(path, "LAD23CD")
