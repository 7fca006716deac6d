"""``placelens evaluate plan | run-plan``: plan an evaluation before the intervention (feasible
designs, minimum detectable effect, publication dates), register it in a partnership's
workspace, and afterwards run the registered plan unchanged (docs/evidence.md)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from placelens.cli.common import (
    InterventionType,
    WarehouseOption,
    console,
    fail,
    open_observatory,
    resolve_place,
    write_table,
)
from placelens.errors import PlacelensError


def plan(
    place: Annotated[str, typer.Option(help="The district (name or code).")],
    outcome: Annotated[str, typer.Option(help="Warehouse indicator id, e.g. "
                                         "gva_per_hour_gbp.")],
    start: Annotated[int, typer.Option(help="First year the intervention can affect the "
                                       "outcome.")],
    intervention: Annotated[str, typer.Option(help="Name of the intervention.")],
    intervention_type: Annotated[InterventionType, typer.Option("--type")],
    donors: Annotated[int, typer.Option(min=3, max=60, help="Similar districts in the donor "
                                        "pool.")] = 20,
    out: Annotated[Path, typer.Option(help="Where to write the plan (JSON).")] = Path(
        "out/evaluations/plan.json"),
    partnership: Annotated[str | None, typer.Option(help="Register the plan in this "
                                                    "partnership's workspace.")] = None,
    actor: Annotated[str | None, typer.Option("--as", help="Email of the member registering "
                                              "it.")] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Plan an evaluation: the specification to register, the minimum detectable effect of
    its synthetic control, feasible designs and when each year's outcome is published."""
    from placelens.services import evaluation as ev
    from placelens.services.evaluation_plans import plan_evaluation, source_release

    try:
        if (partnership is None) != (actor is None):
            raise PlacelensError("to register the plan give both --partnership and --as")
        obs = open_observatory(warehouse)
        district = resolve_place(obs, place, "LAD")
        panel = ev.warehouse_panel(obs.indicators, outcome)
        similar = [p.code for p in obs.comparators.comparators(district, "statistical",
                                                               2 * donors)]
        found = plan_evaluation(panel, similar, district, start, intervention,
                                intervention_type.value, source_release(obs.indicators, outcome),
                                donors)
        record = found.record()
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(record, indent=2), encoding="utf-8")
        if partnership and actor:
            item = _register(record, partnership, actor)
            console.print(f"Registered as item {item} in the workspace (private).")
    except (ValueError, PlacelensError) as error:
        fail(error)
    mde = record["minimum_detectable_effect"]
    console.print(f"Minimum detectable effect on {panel.label} at α = {mde['alpha']:g}: "
                  + (f"{mde['value']:.3g}" if mde["value"] is not None else "none (too few "
                     "donors)") + f" (from {mde['placebo_units']} placebo districts, held-out "
                  f"years {mde['held_out_years'][0]}–{mde['held_out_years'][1]})")
    write_table(found.designs.set_index("design"), None, "Designs")
    write_table(found.data_dates.astype({"year": str}).set_index("year"), None,
                "When each year's outcome is published")
    console.print(f"Wrote the plan: {out.resolve()} (digest {record['digest'][:12]})")


def _register(record: dict, partnership: str, actor: str) -> int:
    from placelens.cli.library import member_and_partnership
    from placelens.db.database import Database
    from placelens.services.workspaces import WorkspaceService

    database = Database()
    database.migrate()
    account, partnership_id = member_and_partnership(database, actor, partnership)
    spec = record["spec"]
    item = WorkspaceService(database).add_item(
        account, partnership_id, "evaluation_plan",
        f"Evaluation plan: {spec['intervention']} in {spec['place_name']} from "
        f"{spec['start_year']}", record)
    return item.id


def run_plan(
    plan_file: Annotated[Path | None, typer.Argument(help="A plan JSON (from `evaluate "
                                                     "plan`).")] = None,
    item: Annotated[int | None, typer.Option(help="Or the registered plan's workspace item "
                                             "number.")] = None,
    actor: Annotated[str | None, typer.Option("--as", help="With --item: a member of its "
                                              "partnership.")] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/evaluations"),
    html_only: Annotated[bool, typer.Option("--html-only")] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Run a registered plan unchanged: its synthetic control (donors, predictors, start,
    optimiser starts and seed) and its difference-in-differences; each evidence record
    carries the plan and its digest. With --item, both are filed as private studies in the
    plan's partnership's evidence library (the synthetic control with its report)."""
    from placelens.cli.evaluate import run_did, run_scm
    from placelens.report.evaluation import attach_plan
    from placelens.services import evaluation as ev
    from placelens.services.evaluation_plans import PlanSpec

    try:
        record, file = _read_plan(plan_file, item, actor)
        spec = PlanSpec.from_dict(record["spec"], str(plan_file or f"item {item}"))
        registered = {"spec": spec.to_dict(), "digest": spec.digest}
        obs = open_observatory(warehouse)
        data = ev.warehouse_panel(obs.indicators, spec.outcome)
        units = [spec.place, *spec.donors]
        missing = sorted(set(units) - set(data.frame[data.unit]))
        if missing:
            raise PlacelensError(f"the plan's districts {', '.join(missing)} no longer have a "
                                 f"complete series of {spec.outcome}; the plan cannot run "
                                 "unchanged")
        data = replace(data, frame=data.frame[data.frame[data.unit].isin(units)].copy())
        if data.frame[data.time].max() < spec.start_year:
            raise PlacelensError(f"no {spec.outcome_label} data from {spec.start_year} yet "
                                 f"(the warehouse ends in {data.frame[data.time].max()})")
        paths = run_scm(data, spec.place, spec.place_name, spec.start_year, spec.intervention,
                        spec.predictor_objects(), list(spec.donors), None, True, out,
                        html_only, spec.starts, spec.seed)
        attach_plan(paths["record"], registered)
        data.frame["first_treated"] = data.frame[data.unit].map({spec.place: spec.start_year})
        did_record = run_did(data, spec.place, spec.place_name, spec.intervention,
                             "first_treated", spec.did_control, spec.did_base, spec.did_draws,
                             spec.seed, "full", out)
        attach_plan(did_record, registered)
        filed = [file(paths["record"], paths["html"]), file(did_record, None)] if file else []
    except (ValueError, PlacelensError) as error:
        fail(error)
    for kind, path in paths.items():
        console.print(f"Wrote {kind}: {path.resolve()}")
    console.print(f"Ran the registered plan unchanged (digest {spec.digest[:12]}).")
    if filed:
        console.print(f"Filed as private studies {filed[0]} (synthetic control, with its "
                      f"report) and {filed[1]} (DiD) in the plan's partnership's library.")


def _read_plan(plan_file: Path | None, item: int | None, actor: str | None):
    """(plan record, filer) from a JSON file (no filer), or from a workspace item a member may
    read; the filer files the results as private studies of the item's partnership."""
    if (plan_file is None) == (item is None):
        raise PlacelensError("give a plan file or --item (one of them)")
    if plan_file is not None:
        try:
            return json.loads(plan_file.read_text(encoding="utf-8")), None
        except (OSError, json.JSONDecodeError) as error:
            raise PlacelensError(f"{plan_file}: cannot read the plan ({error})") from None
    from placelens.db.database import Database
    from placelens.services.accounts import AccountService
    from placelens.services.evidence_library import EvidenceLibrary
    from placelens.services.workspaces import WorkspaceService

    database = Database()
    database.migrate()
    account = AccountService(database).by_email(actor) if actor else None
    found = WorkspaceService(database).item(account, item or 0)
    if found.kind != "evaluation_plan":
        raise PlacelensError(f"item {item} is a {found.kind.replace('_', ' ')}, not a plan")
    library = EvidenceLibrary(database)

    def file(record_path: Path, report: Path | None) -> int:
        from placelens.evidence_terms import INDICATOR_OUTCOMES
        from placelens.study_records import from_evaluation

        spec = found.content["spec"]
        record = json.loads(record_path.read_text(encoding="utf-8"))
        html = report.read_text(encoding="utf-8") if report else None
        assert account is not None
        return library.file_evaluation(account, found.partnership_id, from_evaluation(
            record, spec["intervention_type"], INDICATOR_OUTCOMES.get(spec["outcome"], "other")),
            record, html).id

    return found.content, file


def register(evaluate_app: typer.Typer) -> None:
    """Add the plan commands to ``placelens evaluate``."""
    evaluate_app.command("plan")(plan)
    evaluate_app.command("run-plan")(run_plan)
