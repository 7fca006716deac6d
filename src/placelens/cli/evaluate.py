"""``placelens evaluate``: synthetic control and difference-in-differences."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from placelens.cli.common import (
    Control,
    SmallSample,
    WarehouseOption,
    console,
    fail,
    open_observatory,
    resolve_place,
    write_table,
)
from placelens.errors import PlacelensError

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
    placebo: Annotated[bool, typer.Option(help="Run the in-space placebo test.")] = True,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/evaluations"),
    html_only: Annotated[bool, typer.Option("--html-only")] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Synthetic control for one place: report (HTML/PDF) with gap and placebo plots, weights,
    balance, a plain-language summary, its evidence grade, and an evidence record (JSON)."""
    from placelens.analysis import synthetic_control as sc
    from placelens.report.evaluation import write_scm_report
    from placelens.services import evaluation as ev

    try:
        if panel_file is not None:
            data, name = ev.csv_panel(panel_file, unit, time, outcome), treated
        else:
            obs = open_observatory(warehouse)
            place = resolve_place(obs, treated, "LAD")
            data, treated, name = ev.warehouse_panel(obs.indicators, outcome), place.code, \
                place.name
        panel, unit, time, label = data.frame, data.unit, data.time, data.label
        predictors = [_parse_predictor(p) for p in predictor] if predictor else \
            _default_predictors(outcome, sorted(panel[time].unique()), start)
        result = sc.synthetic_control(panel, unit, time, outcome, treated, start, predictors,
                                      donors or None)
        placebo_table, checks = _scm_checks(panel, unit, time, outcome, result, predictors,
                                            placebo)
        paths = write_scm_report(result, placebo_table, out, name, label, intervention,
                                 data.source, pdf=not html_only, robustness=checks)
    except (ValueError, PlacelensError) as error:
        fail(error)
    console.print(f"Average gap after {start}: {result.average_gap():+.3f}"
                  + (f"; placebo p = {placebo_table.p_value:.3f}"
                     if placebo_table is not None else ""))
    for kind, path in paths.items():
        console.print(f"Wrote {kind}: {path.resolve()}")


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
    small_sample: Annotated[SmallSample, typer.Option(
        help="Clustered-SE correction: full (every fixed effect counts, as Stata areg) or "
        "nonnested (unit effects nested in clusters do not count, as fixest/pyfixest).")
    ] = SmallSample.full,
    intervention: Annotated[str, typer.Option()] = "Intervention",
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/evaluations"),
    warehouse: WarehouseOption = None,
) -> None:
    """Difference-in-differences for one or many places adopting at different times:
    two-way fixed effects and the heterogeneity-robust Callaway–Sant'Anna estimator, with an
    event study; writes the tables and an evidence record."""
    from placelens.analysis import did
    from placelens.report.evaluation import write_did_record
    from placelens.services import evaluation as ev

    try:
        if panel_file is not None:
            data = ev.csv_panel(panel_file, unit, time, outcome,
                                numeric=[time, outcome, first_treated])
            codes = names = "units in " + panel_file.name
        else:
            data, codes, names = _adoption_panel(treated, outcome, first_treated, warehouse)
        panel, unit, time = data.frame, data.unit, data.time
        panel["treated_now"] = (panel[time] >= panel[first_treated]).astype(int)
        simple = did.twfe(panel, unit, time, outcome, "treated_now", small_sample.value)
        staggered = did.callaway_santanna(panel, unit, time, outcome, first_treated,
                                          control.value)
        robust, dynamic = staggered.overall, staggered.event_study
    except (ValueError, PlacelensError) as error:
        fail(error)
    low, high = robust.interval
    console.print(f"Two-way fixed effects: {simple.estimate:+.3f} (SE {simple.std_error:.3f})")
    console.print(f"{robust.method}: {robust.estimate:+.3f} (95% CI {low:+.3f} to "
                  f"{high:+.3f})")
    write_did_record(out, codes, names, intervention, data.label, data.source,
                     int(panel[first_treated].min()), staggered)
    write_table(dynamic, None, "Event study (years since treatment)")
    console.print(f"Wrote {out.resolve()}/did_event_study.csv and did.evidence.json")


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


def _parse_predictor(text: str):
    from placelens.analysis.synthetic_control import Predictor

    try:
        variable, span = text.rsplit(":", 1)
        first, _, last = span.partition("-")
        return Predictor(variable, tuple(range(int(first), int(last or first) + 1)))
    except ValueError as error:
        raise PlacelensError(f"--predictor {text!r} must look like VARIABLE:1980-1988") \
            from error
