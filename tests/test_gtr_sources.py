"""Gateway to Research and Code-Point Open: parsing, placing organisations, match rate."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
from typer.testing import CliRunner

from placelens.errors import DataFormatError
from placelens.sources import codepoint_open as cpo
from placelens.sources import ukri_gtr


def test_postcode_normalisation_and_parts():
    assert cpo.normalise_postcode(" b1  1ay ") == "B11AY"
    assert cpo.normalise_postcode("75005") is None
    assert cpo.postcode_parts("SW1A1AA") == ("SW1A", "SW1A 1")
    assert cpo.postcode_parts("M11AE") == ("M1", "M1 1")


@pytest.fixture
def small_pack(tmp_path):
    folder = tmp_path / cpo.FOLDER
    folder.mkdir()
    with gzip.open(tmp_path / cpo.POSTCODE_FILE, "wt") as fh:
        fh.write("postcode,pq,easting,northing,lat,long,ctry,county_code,lad_code\n"
                 "B1 1AY,10,1,1,52.4,-1.9,E92000001,,E08000025\n"
                 "B1 1ZZ,10,1,1,52.4,-1.9,E92000001,,\n")
    with gzip.open(tmp_path / cpo.SECTOR_FILE, "wt") as fh:
        fh.write("sector,lad_code,n_postcodes,share_of_sector\n"
                 "B1 2,E08000025,9,0.9\nB1 2,E08000029,1,0.1\n")
    (tmp_path / cpo.OUTCODE_FILE).write_text(
        "outcode,lad_code,n_postcodes,share_of_outcode,lad_name\n"
        "B1,E08000029,60,0.6,Solihull\nB1,E08000025,40,0.4,Birmingham\n")
    return tmp_path


def test_locate_falls_back_from_postcode_to_sector_to_outcode(small_pack):
    postcodes = pd.Series(["B1 1AY", "B1 2XX", "B1 9XX", "BT7 1NN", "ZZ9 9ZZ", None, "75005"])
    located = cpo.locate_postcodes(postcodes, small_pack)
    assert located["lad_code"].tolist()[:3] == ["E08000025", "E08000025", "E08000029"]
    assert located["match_method"].tolist() == [
        "postcode", "sector", "outcode", "Northern Ireland", "not found", "no postcode",
        "not a UK postcode"]


def test_truncated_postcode_file_is_reported(small_pack):
    path = small_pack / cpo.POSTCODE_FILE
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(DataFormatError, match="postcode_to_lad"):
        cpo.locate_postcodes(pd.Series(["B1 1AY"]), small_pack)


def test_unknown_role_names_row_and_column(tmp_path):
    path = tmp_path / "links.csv"
    path.write_text("project_id,org_id,roles\nP1,O1,LEAD_RO\nP1,O2,SPONSOR\n")
    with pytest.raises(DataFormatError, match=r"links.csv, row 3, column 'roles'"):
        ukri_gtr.read_participants(path)


def test_warehouse_tables_match_the_published_files(observatory):
    counts = observatory.warehouse.query(
        "SELECT (SELECT count(*) FROM rd_projects) AS projects, "
        "(SELECT count(*) FROM rd_participants) AS links, "
        "(SELECT count(*) FROM rd_organisations) AS orgs, "
        "(SELECT count(*) FROM rd_participants WHERE is_lead) AS leads").iloc[0]
    # SOURCES.md: 43,733 projects, 124,621 project-organisation links, 20,811 organisations.
    assert (counts["projects"], counts["links"], counts["orgs"]) == (43733, 124621, 20811)
    assert counts["leads"] >= 43000  # one lead row per project, a few with shared roles
    rate = observatory.collaboration.match_rate()
    # SOURCES.md: 84% of UK postcodes match exactly; placelens recovers most of the rest
    # through the sector and outcode fallbacks.
    assert rate.loc["postcode", "share_of_uk_postcodes"] > 0.84
    placed = rate.loc[["postcode", "sector", "outcode"], "share_of_uk_postcodes"].sum()
    assert placed > 0.96
    lads = set(observatory.places.lad_codes)
    located = observatory.collaboration.organisations["area_code"].dropna()
    assert set(located) <= lads  # LAD 2025 codes are carried back to LAD 2023
    assert "E08000019" in set(located)  # Sheffield (E08000039 since 2024)


def test_network_commands(warehouse_path, tmp_path):
    from placelens.cli import app

    runner = CliRunner()
    env = {"PLACELENS_WAREHOUSE": str(warehouse_path)}
    result = runner.invoke(app, ["network", "show", "Newcastle upon Tyne"], env=env)
    assert result.exit_code == 0, result.output
    assert "Newcastle University" in result.output and "Partner districts" in result.output
    result = runner.invoke(app, ["network", "show", "Newcastle upon Tyne", "--period", "soon"],
                           env=env)
    assert result.exit_code == 2 and "--period" in result.output
    result = runner.invoke(app, ["network", "build", "--type", "WARD"], env=env)
    assert result.exit_code == 2 and "must be one of LAD, ITL3, ITL2, ITL1" in result.output
    result = runner.invoke(app, ["network", "leadership", "Greater Manchester"],
                           env=env | {"COLUMNS": "250"})
    assert result.exit_code == 0 and "barber shop quartet" in result.output
    result = runner.invoke(app, ["network", "build", "--out", str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    metrics = pd.read_csv(tmp_path / "place_metrics.csv")
    assert metrics["area_code"].nunique() == 361 and metrics["period"].nunique() == 4
    assert metrics["leadership_style"].notna().all() and metrics["finding"].notna().all()


def test_deterministic_under_a_fixed_seed(observatory):
    collab = observatory.collaboration
    first = collab.communities(runs=3, seed=11)
    again = collab.communities(runs=3, seed=11)
    assert first["community"].equals(again["community"])
    assert first["stability"].equals(again["stability"])


def test_profile_sections(observatory):
    from placelens.report.profile import ProfileBuilder

    builder = ProfileBuilder(observatory)
    html = builder.render_html(builder.build(observatory.place("Newcastle upon Tyne")))
    assert "Who innovates with whom" in html and "Newcastle University" in html
    assert "orchestral" in html and "of resamples of its projects agree" in html
    assert "placelens journey assess E08000021" in html


def _official_zip() -> bytes:
    """A miniature Code-Point Open download in the official layout (headerless CSVs)."""
    import io
    import zipfile

    rows = {"Data/CSV/ab.csv": "AB10 1AB,10,394235,806529,S92000003,,,,S12000033,S13002842\n",
            "Data/CSV/b.csv": (
                "B1 1AY,10,406500,286900,E92000001,,,,E08000025,E05011118\n"
                "B1 2AA,10,406600,286800,E92000001,,,,E08000025,E05011118\n"
                "B1 2AB,10,406700,286700,E92000001,,,,E08000029,E05011118\n"
                "B1 2AD,90,0,0,E92000001,,,,E08000025,E05011118\n")}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, text in rows.items():
            bundle.writestr(name, text)
        bundle.writestr("Doc/licence.txt", "OS OpenData")
    return buffer.getvalue()


def test_download_writes_the_lookups_placelens_reads(tmp_path):
    written = cpo.download(tmp_path, fetch=lambda url: _official_zip())
    assert {p.name for p in written} == {
        "codepoint_open_2025_10_postcode_to_lad.csv.gz", "postcode_sector_to_lad_2025.csv.gz",
        "postcode_district_outcode_to_lad_2025.csv"}
    points = pd.read_csv(tmp_path / cpo.POSTCODE_FILE, dtype=str, keep_default_na=False)
    aberdeen = points.set_index("postcode").loc["AB10 1AB"]
    # The datapack's own conversion of this postcode (pyproj EPSG:27700 -> 4326).
    assert (aberdeen["lat"], aberdeen["long"]) == ("57.14961", "-2.09692")
    assert points.set_index("postcode").loc["B1 2AD", "lat"] == ""  # quality 90
    sectors = pd.read_csv(tmp_path / cpo.SECTOR_FILE).set_index(["sector", "lad_code"])
    assert sectors.loc[("B1 2", "E08000025"), "share_of_sector"] == pytest.approx(2 / 3)
    located = cpo.locate_postcodes(pd.Series(["B1 1AY", "B1 2ZZ", "B1 9ZZ"]), tmp_path)
    assert located["match_method"].tolist() == ["postcode", "sector", "outcode"]
    assert located["lad_code"].tolist() == ["E08000025"] * 3


def test_download_rejects_an_archive_without_data(tmp_path):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("Doc/readme.txt", "nothing here")
    with pytest.raises(DataFormatError, match="no Data/CSV"):
        cpo.download(tmp_path, fetch=lambda url: buffer.getvalue())
    assert not (tmp_path / cpo.POSTCODE_FILE).exists()


def test_place_type_reason_reports_local_rd_links(observatory):
    types = observatory.benchmark.place_types().table
    share = observatory.collaboration.area_metrics("LAD", observatory.collaboration.periods[-1])[
        "region_link_share"]["E08000021"]
    assert types.loc["E08000021", "rd_region_link_share"] == pytest.approx(share)
    assert f"{share:.0%} of funded R&D link weight stays in its travel-to-work area" in \
        types.loc["E08000021", "reason"]
    excess = types.loc["E08000021", "collaboration_excess"]
    assert excess == pytest.approx(share / types.loc["E08000021", "expected_region_share"])
    assert f"{excess:.1f}× what its size predicts" in types.loc["E08000021", "reason"]


def test_place_place_network_matches_partner_districts(observatory):
    collab = observatory.collaboration
    links = collab.place_links()
    assert (links["origin"] <= links["destination"]).all()
    newcastle = observatory.place("Newcastle upon Tyne")
    partners = collab.partner_places(newcastle, top=400).set_index("area_code")["weight"]
    mine = links[(links["origin"] == "E08000021") ^ (links["destination"] == "E08000021")]
    assert mine["weight"].sum() == pytest.approx(partners.sum())


def test_regional_metrics_add_up_from_districts(observatory):
    collab = observatory.collaboration
    period = collab.periods[-1]
    districts = collab.area_metrics("LAD", period)
    regions = collab.area_metrics("ITL3", period)
    for region in observatory.places.of_type("ITL3")[:20]:
        members = districts.loc[list(region.members)]
        # An organisation is in one district, so active organisations add up exactly;
        # projects do not (a project with partners in two member districts counts once).
        assert regions.loc[region.code, "active_organisations"] == \
            members["active_organisations"].sum()
        assert regions.loc[region.code, "projects"] <= members["projects"].sum()


def test_journey_signals_for_a_place(observatory):
    collab = observatory.collaboration
    place = observatory.place("Newcastle upon Tyne")
    signals = collab.signals(place)
    latest = collab.panel("LAD")
    row = latest[(latest["area_code"] == place.code)
                 & (latest["period"] == collab.periods[-1].label)].iloc[0]
    assert signals["new_actor_share"] == pytest.approx(row["new_actor_share"])
    assert signals["actor_types_active"] == 4
