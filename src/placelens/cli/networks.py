"""``placelens network`` (collaboration networks, brokers, leadership styles) and
``placelens journey`` (the innovation journey self-assessment)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from placelens.cli.common import (
    WarehouseOption,
    console,
    fail,
    open_observatory,
    resolve_place,
    write_table,
)
from placelens.errors import PlacelensError

network_app = typer.Typer(help="Collaboration networks of funded R&D, brokers and leadership "
                          "styles.", no_args_is_help=True)
journey_app = typer.Typer(help="Regional innovation journey self-assessment.",
                          no_args_is_help=True)
PeriodOption = Annotated[str | None, typer.Option(
    help="Period YEAR-YEAR (default the latest, 2015-2017).")]


def _place(obs, text: str):
    try:
        return resolve_place(obs, text)
    except PlacelensError as error:
        fail(error)


def _period(collab, text: str | None):
    try:
        return collab.period(text)
    except ValueError as error:
        fail(PlacelensError(f"--period: {error}"))


@network_app.command("build")
def network_build(
    out: Annotated[Path, typer.Option(help="Folder for the CSV outputs.")] = Path("out/networks"),
    area_type: Annotated[str, typer.Option("--type", help="LAD, ITL3, ITL2 or ITL1.")] = "LAD",
    warehouse: WarehouseOption = None,
) -> None:
    """Build the networks of every period and write, for every area: metrics per period,
    leadership styles, brokers and communities (latest period), and the match rate."""
    obs = open_observatory(warehouse)
    collab = obs.collaboration
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Networks and place metrics", total=4)
        try:
            leadership = collab.leadership(area_type=area_type)
        except ValueError as error:
            fail(PlacelensError(f"--type {area_type!r}: {error}"))
        progress.advance(task)
        panel = collab.panel(area_type)
        progress.advance(task)
        progress.update(task, description="Brokers (betweenness)")
        brokers = collab.brokers()
        progress.advance(task)
        progress.update(task, description="Communities (Leiden ensemble)")
        communities = collab.communities()
        progress.advance(task)
    names = {p.code: p.name for p in obs.places.of_type(area_type)}
    panel.insert(1, "area_name", panel["area_code"].map(names))
    panel.merge(leadership[["area_code", "period", "actors", "deciders", "leadership_style",
                            "style_stability", "finding"]]).to_csv(
        out / "place_metrics.csv", index=False)
    brokers.to_csv(out / "brokers.csv")
    communities.to_csv(out / "communities.csv")
    collab.match_rate().to_csv(out / "organisation_match_rate.csv")
    seconds = time.perf_counter() - started
    latest = leadership[leadership["period"] == collab.periods[-1].label]
    console.print(f"{len(names)} areas × {len(collab.periods)} periods in {seconds:.1f} s; "
                  f"wrote {out.resolve()}/place_metrics.csv, brokers.csv, communities.csv, "
                  "organisation_match_rate.csv")
    write_table(latest["finding"].value_counts().to_frame("areas"), None,
                f"Leadership styles shown (stable in at least 80% of resamples), "
                f"{collab.periods[-1].label}")


@network_app.command("show")
def network_show(place: str, period: PeriodOption = None,
                 warehouse: WarehouseOption = None) -> None:
    """A place's actors, leaders, local and external links, partner places and brokers."""
    obs = open_observatory(warehouse)
    target, collab = _place(obs, place), obs.collaboration
    chosen = _period(collab, period)
    metrics = collab.place_metrics(target, chosen)
    write_table(metrics.to_frame(f"{target.name} ({target.code})"), None,
                f"Funded R&D collaboration, {chosen.label}")
    partners = collab.partner_places(target, chosen)
    partners.insert(1, "name", partners["area_code"].map(obs.indicators.area_name))
    write_table(partners.set_index("area_code"), None, "Partner districts (link weight, £)")
    brokers = collab.brokers(chosen)
    local = brokers[brokers["area_code"].isin(target.members)].head(10)
    write_table(local[["name", "actor_type", "projects", "betweenness"]].set_index("name"),
                None, "Brokers: local organisations bridging UK places (betweenness)")


@network_app.command("leadership")
def network_leadership(place: str, warehouse: WarehouseOption = None) -> None:
    """A place's leadership style in each period: actors and deciders against what places
    with as much funded R&D have, and how stable the label is under resampling."""
    obs = open_observatory(warehouse)
    target = _place(obs, place)
    table = obs.collaboration.leadership(target).set_index("period")
    write_table(table[["projects", "actors", "actors_residual", "deciders",
                       "deciders_residual", "leadership_style", "style_stability",
                       "finding"]], None,
                f"Leadership style of {target.name} (size model of {table['peer_type'].iloc[0]}"
                "; residuals > 0 = more than size predicts)")


@journey_app.command("questions")
def journey_questions(
    questionnaire: Annotated[Path | None, typer.Option(help="Questionnaire YAML (default the "
                                                       "one shipped).")] = None) -> None:
    """Print the questionnaire: stages, critical moments and questions."""
    from placelens.analysis.journey import load_questionnaire

    form = load_questionnaire(questionnaire)
    out = Console()
    out.print(f"[bold]{form.title}[/] ({form.id} v{form.version}); answer 1–5: "
              + "; ".join(f"{k} {v}" for k, v in form.scale.items()))
    for question in form.questions:
        out.print(f"[bold]{question.id}[/] ({form.part_name(question.part)}): {question.text}")


@journey_app.command("assess")
def journey_assess(
    place: str,
    answers: Annotated[Path | None, typer.Option(help="Answers file (YAML id: answer, or CSV "
                                                 "question,answer); omit to answer here.")] = None,
    on: Annotated[str | None, typer.Option("--date", help="Date of the assessment, YYYY-MM-DD "
                                           "(default today).")] = None,
    questionnaire: Annotated[Path | None, typer.Option(help="Questionnaire YAML.")] = None,
    folder: Annotated[Path | None, typer.Option(envvar="PLACELENS_ASSESSMENTS",
                                                help="Where assessments are stored.")] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Score a partnership's self-assessment, combine it with network signals, store it."""
    from placelens.analysis.journey import check_answers, load_questionnaire
    from placelens.assessments import read_answers_file, read_questionnaire, save_assessment

    obs = open_observatory(warehouse)
    target = _place(obs, place)
    try:
        when = date.fromisoformat(on) if on else date.today()
    except ValueError:
        fail(PlacelensError(f"--date {on!r} is not YYYY-MM-DD"))
    try:
        form = read_questionnaire(questionnaire) if questionnaire else load_questionnaire()
        given = (read_answers_file(answers, form) if answers
                 else check_answers(form, _ask(form)))
        signals = obs.collaboration.signals(target)
        path, result = save_assessment(target, when, given, form, signals, folder)
    except PlacelensError as error:
        fail(error)
    except OSError as error:
        fail(PlacelensError(f"cannot store the assessment: {error}"))
    _print_result(target, result)
    console.print(f"Stored {path.resolve()}")


@journey_app.command("import")
def journey_import(
    partnership: Annotated[int, typer.Option(help="The partnership's number (in its workspace "
                                             "address, /workspaces/N).")],
    email: Annotated[str, typer.Option("--as", help="Email address of one of its editors or "
                                       "admins; the import is recorded under that account.")],
    folder: Annotated[Path | None, typer.Option(envvar="PLACELENS_ASSESSMENTS",
                                                help="Folder of stored assessments.")] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Move self-assessments stored as files (journey assess) into a partnership's private
    workspace in the application database; files already imported are skipped."""
    from placelens.assessments import assessments_dir
    from placelens.db.database import Database
    from placelens.services.accounts import AccountService
    from placelens.services.journeys import JourneyService
    from placelens.services.workspaces import WorkspaceService

    obs = open_observatory(warehouse)
    database = Database()
    database.migrate()
    try:
        account = AccountService(database).by_email(email)
        service = JourneyService(WorkspaceService(database), obs.collaboration.signals)
        count = service.import_folder(account, partnership, folder or assessments_dir())
    except PlacelensError as error:
        fail(error)
    console.print(f"Imported {count} self-assessment(s) into partnership {partnership}.")


def _ask(form) -> dict[str, int]:
    """Ask every question in the terminal (blank = skip)."""
    answers = {}
    scale = "/".join(str(k) for k in form.scale)
    for question in form.questions:
        text = typer.prompt(f"{question.id} {question.text} [{scale}, blank to skip]",
                            default="", show_default=False)
        if text.strip():
            while not (text.strip().isdigit() and int(text) in form.scale):
                text = typer.prompt(f"Please answer {scale}")
            answers[question.id] = int(text)
    return answers


def _print_result(target, result) -> None:
    out = Console()
    out.print(f"[bold]{target.name}[/]: stage {result.stage} — {result.stage_name} "
              f"(confidence {result.confidence}, fit {result.fit:.2f}; runner-up "
              f"{result.runner_up}).")
    if result.next_moment:
        score = result.next_moment["score"]
        out.print(f"Next critical moment: {result.next_moment['name']} (readiness "
                  f"{'not answered' if score is None else f'{score:.2f}'}).")
    for risk in result.risks:
        if risk["status"] == "flagged":
            out.print(f"[bold red]Risk:[/] {risk['title']}: {risk['explanation']}")
    quiet = [r["title"] for r in result.risks if r["status"] == "not assessed"]
    if quiet:
        out.print("Not assessed (answers or data missing): " + ", ".join(quiet))


@journey_app.command("history")
def journey_history(place: str,
                    folder: Annotated[Path | None, typer.Option(
                        envvar="PLACELENS_ASSESSMENTS", help="Assessments folder.")] = None,
                    warehouse: WarehouseOption = None) -> None:
    """Every stored assessment of a place: stage, confidence and risks over time."""
    from placelens.assessments import history_table, load_assessments

    obs = open_observatory(warehouse)
    target = _place(obs, place)
    try:
        records = load_assessments(target.code, folder)
    except PlacelensError as error:
        fail(error)
    if not records:
        fail(PlacelensError(f"No assessments stored for {target.name} ({target.code}); run "
                            f"placelens journey assess {target.code!r}"))
    write_table(history_table(records).set_index("date"), None,
                f"Innovation journey of {target.name}",
                ["version", "stage", "confidence", "fit", "risks_flagged"])

