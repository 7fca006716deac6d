"""Named warehouse matrices: shapes, partitions that add up, and measures on each."""

import pytest

from placelens.warehouse.matrices import MATRICES, load_matrix


@pytest.mark.parametrize("name,period,areas", [
    ("lad-gva", "2023", 361), ("itl3-gva", "2023", 182), ("nuts2-sic4-jobs", "2018", 39),
    ("nuts2-sic2-jobs", "2021", 40), ("lad-census2011-sections", "2011", 318)])
def test_matrix_shapes(observatory, name, period, areas):
    matrix = load_matrix(observatory.warehouse, name, period)
    assert matrix.shape[0] == areas
    if MATRICES[name].codes:
        assert list(matrix.columns) == list(MATRICES[name].codes)


def test_itl3_sections_add_up_to_the_published_total(observatory):
    matrix = load_matrix(observatory.warehouse, "itl3-gva", "2023")
    assert not matrix.isna().any().any()
    totals = observatory.warehouse.query(
        "SELECT area_code, value FROM observations WHERE indicator = 'gva_current_gbp_m' "
        "AND area_type = 'ITL3' AND period = '2023'").set_index("area_code")["value"]
    imputed = observatory.warehouse.activity_matrix(
        "ons_gva_industry", "gva_current_gbp_m", "ITL3", "2023", ["68IMP"])["68IMP"]
    gap = (matrix.sum(axis=1) + imputed - totals.reindex(matrix.index)).abs()
    assert gap.max() <= 5  # published values are rounded to £1m


def test_measures_on_sic4_include_variety(observatory):
    table = observatory.economy.matrix_measures("nuts2-sic4-jobs", "2018", "structure")
    assert {"related_variety", "unrelated_variety"} <= set(table.columns)
    assert (table["related_variety"] + table["unrelated_variety"]).to_numpy() == \
        pytest.approx(table["entropy_bits"].to_numpy())


def test_unknown_matrix_and_period(observatory):
    with pytest.raises(ValueError, match="unknown matrix"):
        load_matrix(observatory.warehouse, "nope", "2020")
    with pytest.raises(ValueError, match="no data for '1990'"):
        load_matrix(observatory.warehouse, "lad-gva", "1990")
