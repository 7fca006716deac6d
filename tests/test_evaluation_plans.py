"""Evaluation plans for a UK district: the minimum detectable effect read off held-out
placebo fits (checked against a hand reading), feasible designs, publication dates, and a
registered plan that runs unchanged afterwards."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from placelens.analysis.evaluation_plan import held_out_fit
from placelens.cli import app
from placelens.errors import DataFormatError, PlacelensError
from placelens.services import evaluation as ev
from placelens.services.evaluation import parse_predictor
from placelens.services.evaluation_plans import PlanSpec, plan_evaluation

OUTCOME = "gva_per_hour_gbp"


@pytest.fixture(scope="module")
def hartlepool_plan(observatory):
    panel = ev.warehouse_panel(observatory.indicators, OUTCOME)
    place = observatory.place("Hartlepool")
    similar = [p.code for p in observatory.comparators.comparators(place, "statistical", 40)]
    return panel, place, plan_evaluation(panel, similar, place, 2016, "Innovation grants",
                                         "rd_grant", "June 2024")


def test_plan_for_a_district_on_gva_per_hour(hartlepool_plan, observatory):
    panel, place, plan = hartlepool_plan
    spec = plan.spec
    similar = [p.code for p in observatory.comparators.comparators(place, "statistical", 40)]
    assert list(spec.donors) == [c for c in similar if c in set(panel.frame["unit"])][:20]
    assert spec.predictors == (f"{OUTCOME}:2004-2015", f"{OUTCOME}:2004", f"{OUTCOME}:2010",
                               f"{OUTCOME}:2015")
    # by hand: each of the 21 districts fitted on 2004–2011 and judged on 2012–2015; 20
    # placebos, ⌊0.1 × 21⌋ = 2, so the 2nd largest placebo ratio times Hartlepool's own
    # pre-period RMSPE
    early = [parse_predictor(t) for t in (f"{OUTCOME}:2004-2011", f"{OUTCOME}:2004",
                                          f"{OUTCOME}:2008", f"{OUTCOME}:2011")]
    units = [place.code, *spec.donors]
    fits = held_out_fit(panel.frame[panel.frame["unit"].isin(units)], "unit", "year",
                        OUTCOME, 2012, 2015, early, units=units)
    second = sorted(fits["ratio"].drop(place.code), reverse=True)[1]
    assert plan.held_out == (2012, 2015) and plan.mde.rank_needed == 2
    assert plan.mde.value == pytest.approx(second * fits.loc[place.code, "pre_rmspe"])
    assert plan.designs["feasible"].all()
    own_fit = fits.loc[place.code, "pre_rmspe"]
    assert f"planning fit RMSPE {own_fit:.3g} on 2004–2011" in plan.designs["detail"][0]
    assert f"detects an effect of {plan.mde.value:.3g} or more" in plan.designs["detail"][0]
    assert set(plan.data_dates["observable"]) == {"published (in the warehouse now)"}
    record = plan.record()
    assert record["digest"] == spec.digest and record["minimum_detectable_effect"][
        "placebo_units"] == 20


def test_future_years_get_their_expected_release(observatory):
    panel = ev.warehouse_panel(observatory.indicators, OUTCOME)
    wigan = observatory.place("Wigan")
    similar = [p.code for p in observatory.comparators.comparators(wigan, "statistical", 10)]
    plan = plan_evaluation(panel, similar, wigan, 2026, "Skills hub", "business_support",
                           "June 2024", donors=5)
    # the June 2024 release covers years to 2022: a lag of two years
    assert plan.data_dates["observable"].tolist() == [
        f"expected about June {year + 2}" for year in range(2026, 2031)]
    assert plan.spec.predictors[0] == f"{OUTCOME}:2004-2022"
    with pytest.raises(PlacelensError, match="years before 2008"):
        plan_evaluation(panel, similar, wigan, 2008, "x", "rd_grant", "June 2024")


def test_plan_spec_round_trip_and_refusals(hartlepool_plan):
    spec = hartlepool_plan[2].spec
    body = json.loads(json.dumps(spec.to_dict()))
    assert PlanSpec.from_dict(body) == spec and PlanSpec.from_dict(body).digest == spec.digest
    with pytest.raises(DataFormatError) as missing:
        PlanSpec.from_dict({k: v for k, v in body.items() if k != "donors"}, "plan.json")
    assert (missing.value.file, missing.value.column) == ("plan.json", "donors")
    with pytest.raises(DataFormatError, match="start_year must be a number"):
        PlanSpec.from_dict({**body, "start_year": "2016"})
    assert spec.digest != PlanSpec.from_dict({**body, "seed": 1}).digest


def test_registered_plan_runs_unchanged(tmp_path, monkeypatch, warehouse_path):
    from placelens.db.database import Database
    from placelens.services.accounts import AccountService
    from placelens.services.workspaces import WorkspaceService

    monkeypatch.setenv("PLACELENS_WAREHOUSE", str(warehouse_path))
    monkeypatch.setenv("PLACELENS_DATABASE_URL", f"sqlite:///{tmp_path / 'app.sqlite'}")
    database = Database()
    database.migrate()
    accounts = AccountService(database)
    ann = accounts.sign_up("ann@example.org", "Ann", "a long enough passphrase")
    accounts.sign_up("eve@example.org", "Eve", "a long enough passphrase")
    WorkspaceService(database).create_partnership(ann, "Tees LPIP")
    runner = CliRunner()
    planned = runner.invoke(app, [
        "evaluate", "plan", "--place", "Hartlepool", "--outcome", OUTCOME, "--start", "2016",
        "--intervention", "Innovation grants", "--type", "rd_grant", "--donors", "8",
        "--out", str(tmp_path / "plan.json"), "--partnership", "Tees LPIP",
        "--as", "ann@example.org"])
    assert planned.exit_code == 0, planned.output
    item = int(planned.output.split("Registered as item ")[1].split()[0])
    plan = json.loads((tmp_path / "plan.json").read_text())
    outsider = runner.invoke(app, ["evaluate", "run-plan", "--item", str(item), "--as",
                                   "eve@example.org", "--out", str(tmp_path / "eve")])
    assert outsider.exit_code == 2 and "No item" in outsider.output
    ran = runner.invoke(app, ["evaluate", "run-plan", "--item", str(item), "--as",
                              "ann@example.org", "--out", str(tmp_path / "run"),
                              "--html-only"])
    assert ran.exit_code == 0, ran.output
    from placelens.services.evidence_library import EvidenceLibrary

    library = EvidenceLibrary(database)
    filed = [s for s in library.studies(ann) if s.partnership == "Tees LPIP"]
    assert len(filed) == 2 and "Filed as private studies" in ran.output
    designs = sorted(s.design for s in filed)
    assert "Sant'Anna" in designs[0] and designs[1].startswith("synthetic control")
    assert all(s.findings[0].outcome_domain == "productivity" and not s.published
               for s in filed)
    assert sum(s.has_report for s in filed) == 1
    assert library.studies(accounts.by_email("eve@example.org")) == []
    scm = json.loads(next((tmp_path / "run").glob("scm_*.evidence.json")).read_text())
    did = json.loads((tmp_path / "run" / "did.evidence.json").read_text())
    spec = PlanSpec.from_dict(plan["spec"])
    for record in (scm, did):
        assert record["specification"]["registered_plan"] == {"spec": plan["spec"],
                                                              "digest": plan["digest"]}
    assert scm["start_year"] == 2016 and scm["place"] == spec.place
    assert set(scm["specification"]["donor_weights"]) <= set(spec.donors)
    assert list(scm["specification"]["predictor_weights_V"]) == [
        p.label for p in spec.predictor_objects()]
    assert scm["specification"]["optimiser_starts"] == spec.starts
    assert did["specification"]["controls"] == "never-treated units"
    again = runner.invoke(app, ["evaluate", "run-plan", str(tmp_path / "plan.json"), "--out",
                                str(tmp_path / "again"), "--html-only"])
    assert again.exit_code == 0
    rerun = json.loads(next((tmp_path / "again").glob("scm_*.evidence.json")).read_text())
    assert rerun["effect"] == scm["effect"] and rerun["specification"] == scm["specification"]


def test_an_evaluation_is_filed_in_the_library_as_it_runs(tmp_path, monkeypatch,
                                                          warehouse_path):
    from placelens.db.database import Database
    from placelens.services.accounts import AccountService
    from placelens.services.evidence_library import EvidenceLibrary
    from placelens.services.workspaces import WorkspaceService

    monkeypatch.setenv("PLACELENS_WAREHOUSE", str(warehouse_path))
    monkeypatch.setenv("PLACELENS_DATABASE_URL", f"sqlite:///{tmp_path / 'app.sqlite'}")
    database = Database()
    database.migrate()
    ann = AccountService(database).sign_up("ann@example.org", "Ann", "a long enough passphrase")
    WorkspaceService(database).create_partnership(ann, "Tees LPIP")
    runner = CliRunner()
    command = ["evaluate", "did", "--outcome", OUTCOME, "--treated", "Hartlepool:2016",
               "--draws", "0", "--out", str(tmp_path / "did"), "--file-in", "Tees LPIP"]
    incomplete = runner.invoke(app, command)
    assert incomplete.exit_code == 2 and "--file-in needs --as" in incomplete.output
    assert not (tmp_path / "did").exists()                  # refused before any work
    done = runner.invoke(app, [*command, "--as", "ann@example.org", "--type", "rd_grant"])
    assert done.exit_code == 0 and "Filed as private study" in done.output, done.output
    [study] = EvidenceLibrary(database).studies(ann)
    assert study.partnership == "Tees LPIP" and not study.published
    assert study.findings[0].outcome_domain == "productivity"
    assert study.evaluation["place"] == "E06000001"
