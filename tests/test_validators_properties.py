"""Property-based tests of what users type and give: whatever the input, the validators either
accept it as the thing it names or refuse it with a placelens error (never another exception),
and nothing a user names can become a path outside the output folder."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from placelens.errors import (
    DataFormatError,
    InvalidChoiceError,
    PlacelensError,
    check_order,
    check_period,
)
from placelens.geography.area_types import PROFILE_TYPES
from placelens.geography.places import check_place_type, postcode_keys
from placelens.user_files import read_yaml, safe_stem

TEXT = st.text(max_size=40)
YEARS = [str(y) for y in range(1998, 2024)]


@given(TEXT)
def test_a_place_type_is_one_of_the_types_or_refused(text):
    try:
        assert check_place_type(text) in PROFILE_TYPES
    except InvalidChoiceError as error:
        assert "place type must be one of 'LAD'" in str(error)


@given(st.sampled_from(PROFILE_TYPES), st.sampled_from([str.lower, str.upper, str.title]))
def test_every_place_type_is_accepted_in_any_case(kind, case):
    assert check_place_type(f" {case(kind)} ") == kind


@given(st.one_of(TEXT, st.integers(), st.sampled_from(YEARS)))
def test_a_period_is_published_or_refused_naming_the_range(value):
    try:
        assert check_period("GVA period", value, YEARS) in YEARS
    except InvalidChoiceError as error:
        assert "choose one of 1998–2023" in str(error)


@given(st.sampled_from(YEARS), st.sampled_from(YEARS))
def test_start_must_come_before_end(start, end):
    if start < end:
        check_order(start, end)
    else:
        with pytest.raises(InvalidChoiceError, match="must come before"):
            check_order(start, end)


@given(TEXT)
def test_postcode_keys_never_fail_and_go_from_finest_to_coarsest(text):
    keys = postcode_keys(text)
    kinds = [kind for kind, _ in keys]
    assert kinds in ([], ["outcode"], ["sector", "outcode"], ["postcode", "sector", "outcode"])
    assert all(key == key.strip().upper() for _, key in keys)


@given(st.text(max_size=200))
def test_a_file_stem_never_leaves_its_folder(text):
    stem = safe_stem(text)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,80}", stem)
    assert (Path("/out") / f"{stem}.html").resolve().parent == Path("/out")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_any_yaml_file_is_read_or_refused_naming_it(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.yaml"
        path.write_bytes(data)
        try:
            read_yaml(path)
        except DataFormatError as error:
            assert "answers.yaml" in str(error) and len(str(error)) < 600


CELL = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                 st.integers(-5, 5).map(str), st.sampled_from(["", "x", "..", "1e400"]))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C/D"]), st.integers(1990, 2000),
                          CELL), min_size=1, max_size=12))
def test_any_panel_is_loaded_finite_or_refused_naming_row_and_column(rows):
    from placelens.services.evaluation import csv_panel

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "panel.csv"
        path.write_text("unit,year,y\n" + "".join(f"{u},{t},{v}\n" for u, t, v in rows))
        try:
            panel = csv_panel(path, "unit", "year", "y")
        except DataFormatError as error:
            assert "panel.csv, row" in str(error) and "column" in str(error)
            return
        assert np.isfinite(panel.frame["y"].to_numpy(dtype="float64")).all()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(TEXT, st.sampled_from(["Eden", "CB2 1TN", "Greater Manchester", "TLK30",
                                        "E07000030", "PL_TEST_TEES", "cornwall"])))
def test_any_place_query_resolves_or_gives_suggestions(observatory, query):
    try:
        place = observatory.place(query)
    except PlacelensError as error:
        assert "No place matches" in str(error)
        return
    assert place.code in observatory.places.places
