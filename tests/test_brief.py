"""The board brief: every key message states the figures the services compute (and the
tables on the same page show), and the brief is a tagged PDF of at most four pages with no
near-empty page, as is the full profile (its annex)."""

from __future__ import annotations

import re

import pandas as pd
import pypdf
import pytest

from placelens.report import brief
from placelens.report.files import write_pdf
from placelens.report.profile import ProfileBuilder
from placelens.report.tables import fmt

PLACES = ["Greater Manchester", "Cornwall", "Cambridge"]
MIN_PAGE_TEXT = 300     # characters: a page with less is near-empty


@pytest.fixture(scope="module")
def builder(observatory):
    return ProfileBuilder(observatory)


@pytest.fixture(scope="module")
def briefs(builder, observatory):
    out = {}
    for name in PLACES:
        place = observatory.place(name)
        profile = builder.build(place)
        out[name] = (place, profile, builder.render_brief(profile))
    return out


def _messages(briefs, name, observatory, builder):
    place, profile, _ = briefs[name]
    found = brief.key_messages(observatory, place, profile.context, builder.period)
    return {m.topic: m for m in found}


@pytest.mark.parametrize("name", PLACES)
def test_productivity_message_states_the_published_figures(briefs, name, observatory,
                                                           builder):
    message = _messages(briefs, name, observatory, builder)["productivity"]
    place, _, html = briefs[name]
    uk = observatory.places.get("K02000001")
    period, value, _ = observatory.indicators.latest(place, "gva_per_hour_gbp")
    _, uk_value, _ = observatory.indicators.latest(uk, "gva_per_hour_gbp")
    assert message.figures["period"] == period
    assert message.figures["value"] == pytest.approx(value)
    assert message.figures["uk_value"] == pytest.approx(uk_value)
    assert f"{value / uk_value:.0%} of the UK's {fmt(uk_value, 1, '£')}" in message.text
    assert f">{fmt(value, 1, '£')}<" in html      # the headline table on the same page


@pytest.mark.parametrize("name", PLACES)
def test_strengths_message_names_the_top_location_quotients(briefs, name, observatory,
                                                            builder):
    message = _messages(briefs, name, observatory, builder)["strengths"]
    place, _, html = briefs[name]
    lq = observatory.economy.location_quotients(place, builder.period)
    top = lq[lq["share"] >= 0.01].dropna(subset=["lq"]).head(3)
    assert message.figures["industries"] == list(top.index)
    for industry, value in zip(top["industry"], top["lq"], strict=True):
        assert f"{industry.lower()} (LQ {value:.2f})" in message.text
        assert f">{value:.2f}<" in html           # the strengths table on the same page


@pytest.mark.parametrize("name", PLACES)
def test_index_message_matches_the_ranking(briefs, name, observatory, builder):
    message = _messages(briefs, name, observatory, builder)["index"]
    place, _, html = briefs[name]
    set_name = observatory.benchmark.default_set(place)
    row = observatory.benchmark.innovation_index(set_name, area_type=place.area_type
                                                 ).table.loc[place.code]
    assert (message.figures["index"], message.figures["rank"]) == \
        (f"{row['index']:.3f}", f"{row['rank']:.0f}")
    assert f"between {row['rank_p05']:.0f} and {row['rank_p95']:.0f}" in message.text
    assert f"Composite innovation index {row['index']:.3f}</strong>, rank {row['rank']:.0f}" \
        in html


@pytest.mark.parametrize("name", PLACES)
def test_gap_message_recomputed_from_the_series(briefs, name, observatory, builder):
    message = _messages(briefs, name, observatory, builder)["watch"]
    place, _, _ = briefs[name]
    uk = observatory.places.get("K02000001")
    mine = observatory.indicators.series(place, "gva_per_hour_gbp").set_index("period")
    theirs = observatory.indicators.series(uk, "gva_per_hour_gbp").set_index("period")
    end = message.figures["end"]
    start = str(int(end) - brief.GAP_YEARS)
    assert message.figures["start"] == start
    expected = (mine.loc[end, "value"] / theirs.loc[end, "value"],
                mine.loc[start, "value"] / theirs.loc[start, "value"])
    assert (message.figures["share_end"], message.figures["share_start"]) == \
        pytest.approx(expected)
    change = expected[0] - expected[1]
    word = "narrowed" if change > 0.005 else "widened" if change < -0.005 else \
        "stayed about the same"
    if min(expected) >= 1:          # ahead of the UK in both years: a lead, not a gap
        word = {"narrowed": "grew", "widened": "shrank"}.get(word, word)
    assert re.search(rf"\b{word}\b", message.text), message.text


def test_growth_message_gives_no_label_without_a_reliable_signal(briefs, observatory,
                                                                 builder):
    place, profile, _ = briefs["Greater Manchester"]
    section = dict(profile.context["benchmarking"], places_reliable=False)
    message = brief.growth(section, place)
    assert "no emerging or leading label" in message.text
    assert section["growth_class"] not in message.text.replace("no emerging or leading", "")


class _Stub:
    """Just enough of an Observatory for the message functions: a place, the UK and their
    GVA-per-hour series, so the sentences can be checked against figures done by hand."""

    def __init__(self, mine: dict, uk: dict, region: dict | None = None):
        from types import SimpleNamespace

        from placelens.geography.places import Place

        self.place = Place("X01", "Testshire", "LAD", "LAD 2023", ("X01",))
        self.uk = Place("K02000001", "United Kingdom", "UK", "UK", ("X01",))
        self.region = Place("R01", "Region", "ITL1", "ITL 2021", ("X01",))
        series = {"X01": mine, "K02000001": uk, "R01": region or {}}
        self.places = SimpleNamespace(places={"K02000001": self.uk})
        self.indicators = SimpleNamespace(series=lambda place, _indicator: pd.DataFrame(
            {"period": list(series[place.code]), "value": list(series[place.code].values())}))


def test_productivity_message_by_hand():
    stub = _Stub({"2021": 30.0, "2022": 32.0}, {"2021": 38.0, "2022": 40.0}, {"2022": 36.0})
    message = brief.productivity(stub, stub.place, [stub.region, stub.uk])
    # 32 / 40 = 80%; the region's figure for the same year is quoted beside it
    assert message.text == ("Output per hour worked was £32.0 in 2022: 80% of the UK's £40.0 "
                            "(Region £36.0).")
    assert message.figures["share_of_uk"] == pytest.approx(0.8)


@pytest.mark.parametrize("mine, text", [
    # 2017: 30/40 = 75%; 2022: 36/45 = 80% -> the gap narrowed
    ([30, 31, 32, 33, 34, 36], "The productivity gap to the UK narrowed: output per hour was 75% "
                               "of the UK level in 2017 and 80% in 2022."),
    # 2017: 34/40 = 85%; 2022: 36/45 = 80% -> widened
    ([34, 34, 35, 35, 35, 36], "The productivity gap to the UK widened: output per hour was 85% "
                               "of the UK level in 2017 and 80% in 2022."),
    # 2017: 44/40 = 110%; 2022: 54/45 = 120% -> ahead in both years: the lead grew
    ([44, 46, 48, 50, 52, 54], "The lead over the UK grew: output per hour was 110% of the UK "
                               "level in 2017 and 120% in 2022."),
    # 2017: 32/40 = 80.0%; 2022: 36.1/45 = 80.2% -> within half a point: about the same
    ([32, 33, 34, 35, 35, 36.1], "The productivity gap to the UK stayed about the same: output "
                                 "per hour was 80% of the UK level in 2017 and 80% in 2022."),
])
def test_gap_message_by_hand(mine, text):
    years = [str(y) for y in range(2017, 2023)]
    uk = dict(zip(years, [40, 41, 42, 43, 44, 45], strict=True))
    stub = _Stub(dict(zip(years, mine, strict=True)), uk)
    assert brief.productivity_gap(stub, stub.place).text == text


def test_gap_message_needs_six_years():
    years = [str(y) for y in range(2018, 2023)]
    stub = _Stub(dict.fromkeys(years, 30.0), dict.fromkeys(years, 40.0))
    assert brief.productivity_gap(stub, stub.place) is None


def test_index_group_names_follow_the_scoreboard():
    assert [brief.index_group(g) for g in ("leader", "strong", "moderate", "emerging")] == \
        ["an innovation leader", "a strong innovator", "a moderate innovator",
         "an emerging innovator"]


def _page_texts(path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


@pytest.mark.parametrize("name", PLACES)
def test_brief_and_annex_are_tagged_short_and_without_empty_pages(briefs, name, tmp_path,
                                                                  builder):
    place, profile, html = briefs[name]
    paths = {"brief": write_pdf(html, tmp_path / "brief.pdf"),
             "annex": write_pdf(builder.render_html(profile), tmp_path / "annex.pdf")}
    for kind, path in paths.items():
        reader = pypdf.PdfReader(path)
        assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])      # Tagged: yes
        assert "/StructTreeRoot" in reader.trailer["/Root"]
        texts = _page_texts(path)
        assert min(len(t) for t in texts) >= MIN_PAGE_TEXT, (kind, [len(t) for t in texts])
    assert len(_page_texts(paths["brief"])) <= 4
    assert "Key messages" in _page_texts(paths["brief"])[0]
