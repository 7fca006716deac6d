"""``placelens evaluate``: synthetic control and difference-in-differences."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from placelens.cli.common import (
    BasePeriod,
    Control,
    InterventionType,
    SmallSample,
    WarehouseOption,
    console,
    fail,
    open_observatory,
    resolve_place,
    write_table,
)
from placelens.errors import PlacelensError

FileInOption = Annotated[str | None, typer.Option(
    "--file-in", help="File the result as a private study in this partnership's evidence "
    "library (needs --as and --type).")]
ActorOption = Annotated[str | None, typer.Option("--as", help="With --file-in: the member "
                                                 "filing it (email).")]
TypeOption = Annotated[InterventionType | None, typer.Option(
    "--type", help="With --file-in: the intervention type evaluated.")]

evaluate_app = typer.Typer(help="Impact evaluation: synthetic control and difference-in-"
                           "differences.", no_args_is_help=True)


@evaluate_app.command("scm")
def evaluate_scm(
    treated: Annotated[str, typer.Option(help="Treated place (name or code), or unit in "
                                         "--panel.")],
    outcome: Annotated[str, typer.Option(help="Indicator id (warehouse) or column (--panel).")],
    start: Annotated[int, typer.Option(help="First treated year.")],
    intervention: Annotated[str, typer.Option(help="Name of the intervention.")] = "Intervention",
    donors: Annotated[list[str] | None, typer.Option(help="Donor codes (repeat); default "
                                                     "every other unit.")] = None,
    predictor: Annotated[list[str] | None, typer.Option(help="VARIABLE:FIRST-LAST (repeat); "
                                                        "default: the outcome's pre-period "
                                                        "mean and three pre years.")] = None,
    panel_file: Annotated[Path | None, typer.Option("--panel", help="Your own CSV panel.")
                          ] = None,
    unit: Annotated[str, typer.Option(help="Unit column of --panel.")] = "unit",
    time: Annotated[str, typer.Option(help="Time column of --panel.")] = "year",
    fit_years: Annotated[str | None, typer.Option(
        help="Years whose outcome fit chooses V, e.g. 1960-1969 (default: every year before "
        "--start); with --training-predictor, the validation period.")] = None,
    predictor_weights: Annotated[str | None, typer.Option(
        "--v", help="A given V instead of a fitted one: one weight per --predictor, in order, "
        "comma-separated.")] = None,
    training_predictor: Annotated[list[str] | None, typer.Option(
        help="ADH 2015 cross-validation: V is fitted on these training-period predictors "
        "(one per --predictor, in order; VARIABLE:YEARS) to the outcome over --fit-years, then "
        "used with the --predictor values.")] = None,
    placebo: Annotated[bool, typer.Option(help="Run the in-space placebo test.")] = True,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/evaluations"),
    html_only: Annotated[bool, typer.Option("--html-only")] = False,
    file_in: FileInOption = None,
    actor: ActorOption = None,
    intervention_type: TypeOption = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Synthetic control for one place: report (HTML/PDF) with gap and placebo plots, weights,
    V with the predictor balance and fit, a plain-language summary, its evidence grade, and an
    evidence record (JSON). Predictor years are single years, ranges or lists
    (gdpcap:1960-1969, sec.energy:1961,1963,1965)."""
    from placelens.services.evaluation import parse_predictor

    try:
        _check_filing(file_in, actor, intervention_type)
        data, treated, name = _scm_panel(panel_file, treated, outcome, unit, time, warehouse)
        predictors = [parse_predictor(p) for p in predictor] if predictor else \
            _default_predictors(outcome, sorted(data.frame[data.time].unique()), start)
        v_choice = _v_choice(fit_years, predictor_weights, training_predictor)
        paths = run_scm(data, treated, name, start, intervention, predictors, donors or None,
                        v_choice, placebo, out, html_only)
        _file(paths["record"], paths["html"], file_in, actor, intervention_type, outcome)
    except (ValueError, PlacelensError) as error:
        fail(error)
    for kind, path in paths.items():
        console.print(f"Wrote {kind}: {path.resolve()}")


def _check_filing(file_in: str | None, actor: str | None, kind) -> None:
    """Refuse an incomplete --file-in before any work is done."""
    if file_in and not (actor and kind):
        raise PlacelensError("--file-in needs --as (a member's email) and --type")


def _file(record: Path, report: Path | None, file_in: str | None, actor: str | None, kind,
          outcome: str) -> None:
    """File the evaluation in the partnership's library when --file-in asks for it."""
    if not file_in:
        return
    from placelens.cli.library import file_record
    from placelens.evidence_terms import INDICATOR_OUTCOMES

    study = file_record(record, report, file_in, actor or "", kind.value,
                        INDICATOR_OUTCOMES.get(outcome, "other"))
    console.print(f"Filed as private study {study.id} in {study.partnership}'s evidence "
                  f"library ({study.grade_label}).")


def run_scm(data, treated: str, name: str, start: int, intervention: str, predictors: list,
            donors: list[str] | None, v_choice, placebo: bool, out: Path, html_only: bool,
            starts: int = 10, seed: int = 0) -> dict[str, Path]:
    """Fit, check and report a synthetic control (shared by ``scm`` and ``run-plan``)."""
    from placelens.analysis import synthetic_control as sc
    from placelens.analysis import synthetic_control_checks as checks_
    from placelens.report.evaluation import write_scm_report

    panel, unit, time, outcome = data.frame, data.unit, data.time, data.outcome
    result = sc.synthetic_control(panel, unit, time, outcome, treated, start, predictors,
                                  donors, v_choice, starts, seed)
    placebo_table, checks = _scm_checks(panel, unit, time, outcome, result, predictors,
                                        placebo)
    comparison = checks_.fit_comparison(panel, unit, time, outcome, result, predictors)
    console.print(f"Average gap after {start}: {result.average_gap():+.3f}"
                  + (f"; placebo p = {placebo_table.p_value:.3f}"
                     if placebo_table is not None else ""))
    return write_scm_report(result, placebo_table, out, name, data.label, intervention,
                            data.source, pdf=not html_only, robustness=checks,
                            fit_comparison=comparison)


def _scm_panel(panel_file: Path | None, treated: str, outcome: str, unit: str, time: str,
               warehouse: Path | None):
    """The panel (a CSV, or the warehouse's districts), the treated unit's key and its name."""
    from placelens.services import evaluation as ev

    if panel_file is not None:
        return ev.csv_panel(panel_file, unit, time, outcome), treated, treated
    obs = open_observatory(warehouse)
    place = resolve_place(obs, treated, "LAD")
    return ev.warehouse_panel(obs.indicators, outcome), place.code, place.name


def _default_predictors(outcome: str, years: list, start: int) -> list:
    """The outcome's pre-period mean and three pre-period years (first, middle, last)."""
    from placelens.analysis import synthetic_control as sc

    pre = [y for y in years if y < start]
    if len(pre) < 2:
        raise PlacelensError(f"--start {start} leaves {len(pre)} pre-treatment year(s); the "
                             f"panel runs {years[0]}–{years[-1]} and a synthetic control "
                             "needs at least 2 years before the start")
    return [sc.Predictor(outcome, tuple(pre)),
            *[sc.Predictor(outcome, (y,)) for y in (pre[0], pre[len(pre) // 2], pre[-1])]]


def _scm_checks(panel, unit: str, time: str, outcome: str, result, predictors: list,
                placebo: bool):
    """The in-space placebo (when asked for and there are at least 3 donors: each placebo
    needs 2 of its own) and the robustness table, with the reason for any check not run."""
    from placelens.analysis import synthetic_control_checks as checks_

    donors_used = len(result.weights)
    run_placebo = placebo and donors_used >= 3
    placebo_table = checks_.placebo_in_space(panel, unit, time, outcome, result,
                                             predictors) if run_placebo else None
    checks = checks_.robustness_table(panel, unit, time, outcome, result, predictors)
    if placebo and not run_placebo:
        reason = f"not run: needs at least 3 donors ({donors_used} given)"
        console.print(f"[yellow]In-space placebo {reason}.[/]")
        checks.loc[len(checks)] = {"Check": "In-space placebo",
                                   "Start": result.treatment_year, "Average gap": reason}
    return placebo_table, checks


@evaluate_app.command("did")
def evaluate_did(
    outcome: Annotated[str, typer.Option(help="Indicator id (warehouse) or column (--panel).")],
    treated: Annotated[list[str] | None, typer.Option(help="PLACE:YEAR, first treated year "
                                                      "(repeat), for warehouse panels.")
                       ] = None,
    panel_file: Annotated[Path | None, typer.Option("--panel", help="Your own CSV panel.")
                          ] = None,
    unit: Annotated[str, typer.Option(help="Unit column of --panel.")] = "unit",
    time: Annotated[str, typer.Option(help="Time column of --panel.")] = "year",
    first_treated: Annotated[str, typer.Option(help="First-treated-year column of --panel "
                                               "(blank = never treated).")] = "first_treated",
    control: Annotated[Control, typer.Option(help="never-treated or not-yet-treated "
                                             "controls.")] = Control.never,
    base: Annotated[BasePeriod, typer.Option(
        help="Base period of pre-treatment cells: universal (the period before treatment) "
        "or varying (the period before each cell, as R did/csdid by default).")
    ] = BasePeriod.universal,
    draws: Annotated[int, typer.Option(min=0, help="Multiplier-bootstrap draws (0: analytic "
                                       "standard errors).")] = 1000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    small_sample: Annotated[SmallSample, typer.Option(
        help="Clustered-SE correction: full (every fixed effect counts, as Stata areg) or "
        "nonnested (unit effects nested in clusters do not count, as fixest/pyfixest).")
    ] = SmallSample.full,
    intervention: Annotated[str, typer.Option()] = "Intervention",
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/evaluations"),
    file_in: FileInOption = None,
    actor: ActorOption = None,
    intervention_type: TypeOption = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Difference-in-differences for one or many places adopting at different times:
    two-way fixed effects and the heterogeneity-robust Callaway–Sant'Anna estimator, with an
    event study; writes the tables and an evidence record."""
    from placelens.services import evaluation as ev

    try:
        _check_filing(file_in, actor, intervention_type)
        if panel_file is not None:
            data = ev.csv_panel(panel_file, unit, time, outcome,
                                numeric=[time, outcome, first_treated])
            codes = names = "units in " + panel_file.name
        else:
            data, codes, names = _adoption_panel(treated, outcome, first_treated, warehouse)
        record = run_did(data, codes, names, intervention, first_treated, control.value,
                         base.value, draws, seed, small_sample.value, out)
        _file(record, None, file_in, actor, intervention_type, outcome)
    except (ValueError, PlacelensError) as error:
        fail(error)


def run_did(data, codes: str, names: str, intervention: str, first_treated: str,
            control: str, base: str, draws: int, seed: int, small_sample: str,
            out: Path) -> Path:
    """Estimate, print and record a difference-in-differences (shared by ``did`` and
    ``run-plan``); returns the evidence record's path."""
    from placelens.analysis import did, staggered_did
    from placelens.report.evaluation import write_did_record

    panel, unit, time, outcome = data.frame, data.unit, data.time, data.outcome
    panel["treated_now"] = (panel[time] >= panel[first_treated]).astype(int)
    simple = did.twfe(panel, unit, time, outcome, "treated_now", small_sample)
    staggered = staggered_did.callaway_santanna(panel, unit, time, outcome, first_treated,
                                                control, base, draws, seed)
    robust, dynamic = staggered.overall, staggered.event_study
    low, high = robust.interval
    console.print(f"Two-way fixed effects: {simple.estimate:+.3f} (SE {simple.std_error:.3f}, "
                  f"clustered by unit, small-sample correction {small_sample})")
    console.print(f"{robust.method}: {robust.estimate:+.3f} (95% CI {low:+.3f} to "
                  f"{high:+.3f})")
    path = write_did_record(out, codes, names, intervention, data.label, data.source,
                            int(panel[first_treated].min()), staggered, simple, small_sample)
    write_table(dynamic, None, f"Event study (years since treatment; band: "
                f"{staggered.confidence:.0%} simultaneous, critical value "
                f"{staggered.critical_value:.2f})")
    console.print(f"Wrote {out.resolve()}/did_event_study.csv, did_group_time.csv and "
                  "did.evidence.json")
    return path


def _adoption_panel(treated: list[str] | None, outcome: str, first_treated: str,
                    warehouse: Path | None):
    """A warehouse panel of ``outcome`` with each ``PLACE:YEAR`` district's first treated
    year; returns the panel, the treated codes and their names."""
    from placelens.services import evaluation as ev

    if not treated:
        raise PlacelensError("name treated places as --treated PLACE:YEAR")
    obs = open_observatory(warehouse)
    starts = {}
    for item in treated:
        name, _, year = item.rpartition(":")
        starts[resolve_place(obs, name, "LAD").code] = float(year)
    data = ev.warehouse_panel(obs.indicators, outcome)
    data.frame[first_treated] = data.frame["unit"].map(starts)
    return (data, ", ".join(starts),
            ", ".join(obs.indicators.area_name(c) for c in starts))


def _v_choice(fit_years: str | None, given: str | None, training: list[str] | None):
    """The V specification from --fit-years, --v and --training-predictor."""
    from placelens.analysis.synthetic_control import VChoice
    from placelens.services.evaluation import parse_predictor, parse_years

    if given and (fit_years or training):
        raise PlacelensError("--v gives V, so --fit-years and --training-predictor do not "
                             "apply; use one or the other")
    if training and not fit_years:
        raise PlacelensError("--training-predictor needs --fit-years: the validation period "
                             "whose outcome fit chooses V")
    try:
        weights = tuple(float(v) for v in given.split(",")) if given else ()
    except ValueError as error:
        raise PlacelensError(f"--v {given!r} must be numbers separated by commas") from error
    return VChoice(fit_years=parse_years(fit_years, "--fit-years") if fit_years else (),
                   given=weights,
                   training=tuple(parse_predictor(p, "--training-predictor")
                                  for p in training or ()))
