"""The board brief: every key message states the figures the services compute (and the
tables on the same page show), and the brief is a tagged PDF of at most four pages with no
near-empty page, as is the full profile (its annex)."""

from __future__ import annotations

import re

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
    word = "narrowed" if expected[0] - expected[1] > 0.005 else "widened" \
        if expected[0] - expected[1] < -0.005 else "stayed about the same"
    assert re.search(rf"\b{word}\b|\bgrew\b|\bshrank\b", message.text)


def test_growth_message_gives_no_label_without_a_reliable_signal(briefs, observatory,
                                                                 builder):
    place, profile, _ = briefs["Greater Manchester"]
    section = dict(profile.context["benchmarking"], places_reliable=False)
    message = brief.growth(section, place)
    assert "no emerging or leading label" in message.text
    assert section["growth_class"] not in message.text.replace("no emerging or leading", "")


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
