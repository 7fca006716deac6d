"""ONS regional accounts (balanced GVA by LAD × industry and by ITL × industry, April 2025;
GDHI by LAD, September 2024)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from placelens.sources.bundle import SourceTables, indicator_rows
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import read_csv, require_values, wide_years_to_long

FOLDER = "ons_regional_accounts_lad_2025"
LAD_GVA_FILE = f"{FOLDER}/gva_lad_by_industry_1998_2023_apr2025.csv.gz"
ITL_GVA_FILE = f"{FOLDER}/gva_itl_by_industry_1998_2023_apr2025.csv.gz"
GDHI_FILE = f"{FOLDER}/gdhi_lad_1997_2022_sep2024.csv.gz"
ITL2025_LOOKUP_FILE = "lookups/ons_itl3_2021_to_itl3_2025_lookup_uk.csv"
CLASSIFICATION = "ons_gva_industry"
ONS_ATTRIBUTION = ("Source: Office for National Statistics licensed under the Open Government "
                   "Licence v.3.0")

INFO = [
    SourceInfo("ons_rgva_lad_2025", "Regional gross value added (balanced) by industry: local "
               "authorities by ITL1 region", "Office for National Statistics", "17 April 2025",
               OGL, ONS_ATTRIBUTION,
               "https://www.ons.gov.uk/economy/grossvalueaddedgva/datasets/"
               "regionalgrossvalueaddedbalancedbyindustrylocalauthoritiesbyitl1region",
               LAD_GVA_FILE, "LAD 2023", "Rows nest (sections contain divisions); constant-price "
               "values are not additive across industries.",
               min_rows=890_000, complete_for_lads=True),
    SourceInfo("ons_rgva_itl_2025", "Regional gross value added (balanced) by industry: all ITL "
               "regions", "Office for National Statistics", "17 April 2025", OGL, ONS_ATTRIBUTION,
               "https://www.ons.gov.uk/economy/grossvalueaddedgva/datasets/"
               "nominalandrealregionalgrossvalueaddedbalancedbyindustry", ITL_GVA_FILE,
               "ITL 2025", "This release uses the ITL 2025 codes (e.g. the North East split "
               "into TLC3/TLC4).", min_rows=890_000),
    SourceInfo("ons_gdhi_lad_2024", "Regional gross disposable household income: local "
               "authorities by ITL1 region", "Office for National Statistics",
               "4 September 2024", OGL, ONS_ATTRIBUTION,
               "https://www.ons.gov.uk/economy/regionalaccounts/grossdisposablehouseholdincome/"
               "datasets/regionalgrossdisposablehouseholdincomelocalauthoritiesbyitl1region",
               GDHI_FILE, "LAD 2023", min_rows=27_000, complete_for_lads=True),
]

#: The non-overlapping industry rows of the LAD table that add up to the total less imputed
#: rental (68IMP), each with the SIC 2007 section it belongs to. Real estate is "68" (excluding
#: owner-occupiers' imputed rent), because imputed rent is not local economic activity.
LAD_INDUSTRY_PARTITION: list[tuple[str, str]] = [
    ("AB (1-9)", "A-B"), ("CA-CB (10-15)", "C"), ("CC (16-18)", "C"), ("CD-CG (19-23)", "C"),
    ("CH (24-25)", "C"), ("CI-CL (26-30)", "C"), ("CM (31-33)", "C"), ("DE (35-39)", "D-E"),
    ("41", "F"), ("42", "F"), ("43", "F"), ("45", "G"), ("46", "G"), ("47", "G"),
    ("49-51", "H"), ("52-53", "H"), ("I (55-56)", "I"), ("58-60", "J"), ("61-63", "J"),
    ("K (64-66)", "K"), ("68", "L"), ("69", "M"), ("70", "M"), ("71", "M"), ("72-75", "M"),
    ("77", "N"), ("78-80", "N"), ("81", "N"), ("82", "N"), ("O (84)", "O"), ("P (85)", "P"),
    ("Q (86-88)", "Q"), ("R (90-93)", "R"), ("94-95", "S"), ("96", "S"), ("T (97-98)", "T"),
]

#: Each LAD industry row as the sum of the finest rows ONS publishes for the UK, so the UK
#: reference can be taken from the published UK figures rather than from LAD cells, some of
#: which are suppressed.
UK_COMPONENTS: dict[str, list[str]] = {
    "AB (1-9)": ["A (1-3)", "B (5-9)"], "CA-CB (10-15)": ["CA (10-12)", "CB (13-15)"],
    "CD-CG (19-23)": ["CD-CE (19-20)", "CF (21)", "CG (22-23)"],
    "CI-CL (26-30)": ["CI (26)", "CJ (27)", "CK (28)", "CL (29-30)"],
    "DE (35-39)": ["D (35)", "E (36-39)"], "49-51": ["49", "50", "51"], "52-53": ["52", "53"],
    "58-60": ["58", "59", "60"], "61-63": ["61", "62", "63"],
    "72-75": ["72", "73", "74", "75"], "78-80": ["78", "79", "80"], "94-95": ["94", "95"],
}

#: SIC 2007 sections for the ITL tables (with imputed rent taken out of L). ITL3 rows publish
#: A with B and D with E, so those pairs are one group at every level.
SECTION_PARTITION: list[tuple[str, str]] = [
    ("AB (1-9)", "A-B"), ("C (10-33)", "C"), ("DE (35-39)", "D-E"),
    ("F (41-43)", "F"), ("G (45-47)", "G"), ("H (49-53)", "H"), ("I (55-56)", "I"),
    ("J (58-63)", "J"), ("K (64-66)", "K"), ("68", "L"), ("M (69-75)", "M"), ("N (77-82)", "N"),
    ("O (84)", "O"), ("P (85)", "P"), ("Q (86-88)", "Q"), ("R (90-93)", "R"), ("S (94-96)", "S"),
    ("T (97-98)", "T"),
]

#: The finest non-overlapping industry rows published for ITL3 areas (45 groups; imputed rent
#: excluded), each with its section group.
ITL3_INDUSTRY_PARTITION: list[tuple[str, str]] = [
    ("AB (1-9)", "A-B"), ("CA (10-12)", "C"), ("CB (13-15)", "C"), ("CC (16-18)", "C"),
    ("CD-CG (19-23)", "C"), ("CH (24-25)", "C"), ("CI-CJ (26-27)", "C"), ("CK-CL (28-30)", "C"),
    ("CM (31-33)", "C"), ("DE (35-39)", "D-E"), ("41", "F"), ("42", "F"), ("43", "F"),
    ("45", "G"), ("46", "G"), ("47", "G"), ("49-51", "H"), ("52", "H"), ("53", "H"),
    ("55", "I"), ("56", "I"), ("58-60", "J"), ("61-63", "J"), ("K (64-66)", "K"), ("68", "L"),
    ("69", "M"), ("70", "M"), ("71", "M"), ("72-73", "M"), ("74-75", "M"), ("77", "N"),
    ("78-80", "N"), ("81", "N"), ("82", "N"), ("O (84)", "O"), ("P (85)", "P"), ("86", "Q"),
    ("87", "Q"), ("88", "Q"), ("90-91", "R"), ("92-93", "R"), ("94", "S"), ("95", "S"),
    ("96", "S"), ("T (97-98)", "T"),
]

LAD_MEASURES = {"GVA Current Prices £m": "gva_current_gbp_m",
                "GVA Constant Prices £m": "gva_constant_2022_gbp_m"}
ITL_MEASURES = {"current": "gva_current_gbp_m", "constant": "gva_constant_2022_gbp_m"}
ITL_COUNTRY_CODES = {"UK": ("K02000001", "UK"), "TLB": ("E92000001", "CTRY")}


def load(datapack: Path) -> SourceTables:
    out = SourceTables(INFO)
    names: dict[str, str] = {}
    for reader, path, source_id in ((_read_itl_gva, ITL_GVA_FILE, "ons_rgva_itl_2025"),
                                    (_read_lad_gva, LAD_GVA_FILE, "ons_rgva_lad_2025")):
        frame, published_names = reader(datapack / path)
        names.update(published_names)
        frame["classification"], frame["source_id"] = CLASSIFICATION, source_id
        out.add("activity", frame[frame["activity_code"] != "Total"])
        total = frame[frame["activity_code"] == "Total"]
        out.add("observations", total.assign(indicator=total["measure"]))
    out.add("activity_codes", _activity_codes(names))
    out.add("areas", _itl3_2025_areas(datapack / ITL2025_LOOKUP_FILE))
    out.add("observations", _read_gdhi(datapack / GDHI_FILE))
    out.add("indicators", indicator_rows("ons_rgva_lad_2025", [
        ("gva_current_gbp_m", "Gross value added (balanced), current prices", "£m", True, 1,
         "All industries, including imputed rental"),
        ("gva_constant_2022_gbp_m", "Gross value added (balanced), chained volume measure in "
         "2022 prices", "£m (2022 prices)", False, 1, "All industries, including imputed "
         "rental; unsmoothed. Chained volumes are not additive across areas or industries."),
    ]))
    out.add("indicators", indicator_rows("ons_gdhi_lad_2024", [
        ("gdhi_per_head_gbp", "Gross disposable household income per head", "£", False, 1, ""),
        ("gdhi_total_gbp_m", "Gross disposable household income", "£m", True, 1, ""),
        ("population_gdhi_implied", "Resident population (GDHI total ÷ GDHI per head)",
         "people", True, 0, "Implied by ONS GDHI; rounded inputs give ±0.5% error"),
    ]))
    return out


def _industry_names(frame: pd.DataFrame) -> dict[str, str]:
    return frame.drop_duplicates("industry_code").set_index("industry_code")[
        "industry_name"].to_dict()


def _read_lad_gva(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    frame = read_csv(path, required=["lad_code", "industry_code", "industry_name", "measure",
                                     "1998", "2023"])
    require_values(frame, "lad_code", path, r"[EWSN]\d{8}")
    frame = frame[frame["measure"].isin(LAD_MEASURES)].assign(
        area_type="LAD", vintage="2023", measure=lambda f: f["measure"].map(LAD_MEASURES))
    frame = frame.rename(columns={"lad_code": "area_code", "industry_code": "activity_code"})
    ids = ["area_code", "area_type", "vintage", "activity_code", "measure"]
    return wide_years_to_long(frame, ids, path), _industry_names(frame.rename(
        columns={"activity_code": "industry_code"}))


def _read_itl_gva(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    frame = read_csv(path, required=["geography_type", "geography_code", "industry_code",
                                     "industry_name", "variable_code", "1998", "2023"])
    require_values(frame, "geography_code", path)
    frame = frame[frame["variable_code"].isin(ITL_MEASURES)].copy()
    country = frame["geography_code"].map(ITL_COUNTRY_CODES)
    is_country = country.notna()
    frame["area_code"] = frame["geography_code"].where(~is_country, country.str[0])
    frame["area_type"] = frame["geography_type"].where(~is_country, country.str[1])
    frame["vintage"] = frame["area_type"].map(lambda t: "2025" if t.startswith("ITL") else "2023")
    frame["measure"] = frame["variable_code"].map(ITL_MEASURES)
    names = _industry_names(frame)
    frame = frame.rename(columns={"industry_code": "activity_code"})
    ids = ["area_code", "area_type", "vintage", "activity_code", "measure"]
    return wide_years_to_long(frame, ids, path), names


def _activity_codes(names: dict[str, str]) -> pd.DataFrame:
    """Every industry row published, with its section group where it is in a partition."""
    parents = dict(ITL3_INDUSTRY_PARTITION) | dict(LAD_INDUSTRY_PARTITION) | dict(
        SECTION_PARTITION)
    return pd.DataFrame({
        "classification": CLASSIFICATION, "activity_code": list(names),
        "name": list(names.values()), "parent_code": [parents.get(c) for c in names],
        "level": None})


def _itl3_2025_areas(path: Path) -> pd.DataFrame:
    """Names of the ITL3 2025 areas (the ITL 2025 release's codes) from the ONS lookup."""
    frame = read_csv(path, required=["ITL325CD", "ITL325NM"])
    require_values(frame, "ITL325CD", path, r"TL[A-N]\w{2}")
    rows = frame.drop_duplicates("ITL325CD")
    return pd.DataFrame({"area_code": rows["ITL325CD"], "area_type": "ITL3", "vintage": "2025",
                         "name": rows["ITL325NM"], "name_welsh": None})


def _read_gdhi(path: Path) -> pd.DataFrame:
    frame = read_csv(path, required=["lad_code", "transaction_name", "measure", "2022"])
    frame = frame[frame["transaction_name"] == "Gross Disposable Income"]
    require_values(frame, "lad_code", path, r"[EWSN]\d{8}")
    long = wide_years_to_long(frame, ["lad_code", "measure"], path)
    wide = long.pivot_table(index=["lad_code", "period"], columns="measure", values="value",
                            dropna=False).reset_index()
    per_head = wide["GDHI per capita (£) current prices"]
    total = wide["GDHI total (£m) current prices"]
    parts = []
    for indicator, values in (("gdhi_per_head_gbp", per_head), ("gdhi_total_gbp_m", total),
                              ("population_gdhi_implied", (total * 1e6 / per_head).round())):
        parts.append(pd.DataFrame({"area_code": wide["lad_code"], "area_type": "LAD",
                                   "vintage": "2023", "indicator": indicator,
                                   "period": wide["period"], "value": values,
                                   "source_id": "ons_gdhi_lad_2024"}))
    return pd.concat(parts, ignore_index=True)
