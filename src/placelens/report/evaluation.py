"""The synthetic-control report (HTML and PDF) and the evidence record it produces."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

import placelens
from placelens.analysis.did import Estimate
from placelens.analysis.staggered_did import GRADE_RULE, StaggeredEstimate
from placelens.analysis.staggered_did import evidence_grade as did_grade
from placelens.analysis.synthetic_control import SCMResult
from placelens.analysis.synthetic_control_checks import (
    SCM_GRADE_RULE,
    PlaceboTest,
    evidence_grade,
)
from placelens.report import charts
from placelens.report.tables import as_table, template_environment
from placelens.user_files import safe_stem


@dataclass
class EvidenceRecord:
    """One evaluation, in the form the evidence library will store."""

    place: str
    place_name: str
    intervention: str
    outcome: str
    design: str
    start_year: int
    effect: float | None
    effect_unit: str
    uncertainty: str
    #: Maryland Scientific Methods Scale level; None when the result could not be graded
    grade: int | None
    grade_reason: str
    source: str
    created: str
    #: How the estimate was made: method, comparison, inference and their settings, so a
    #: reader can judge it and rerun it.
    specification: dict = field(default_factory=dict)


def write_scm_report(result: SCMResult, placebo: PlaceboTest | None, out_dir: Path,
                     place_name: str, outcome_label: str, intervention: str,
                     source: str, pdf: bool = True,
                     robustness: pd.DataFrame | None = None,
                     fit_comparison: pd.DataFrame | None = None) -> dict[str, Path]:
    """The synthetic-control report (HTML, and PDF unless ``pdf`` is False) and its evidence
    record (JSON), graded by :func:`evidence_grade`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    p_value = placebo.p_value if placebo is not None else None
    grade, reason = evidence_grade(result, p_value)
    effect = result.average_gap()
    years = result.actual.index
    placebo_chart, placebo_table = _placebo_parts(result, placebo, place_name, outcome_label,
                                                  source)
    path_chart = charts.trend_chart(pd.concat([
        pd.DataFrame({"period": years, "value": result.actual.to_numpy(),
                      "series": place_name}),
        pd.DataFrame({"period": years, "value": result.synthetic.to_numpy(),
                      "series": f"Synthetic {place_name}"})]),
        f"{outcome_label}: {place_name} and its synthetic control", outcome_label, source)
    gap_frame = result.gap.rename("value").reset_index()
    gap_frame.columns = ["period", "value"]
    gap_chart = charts.trend_chart(gap_frame.assign(series="Gap (actual − synthetic)"),
                                   f"Gap between {place_name} and its synthetic control",
                                   outcome_label, source)
    weights = result.weights[result.weights > 0.001].sort_values(ascending=False)
    context = {
        "place": place_name, "treated": result.treated, "outcome": outcome_label,
        "intervention": intervention, "year": result.treatment_year,
        "effect": f"{effect:+.2f}", "last_gap": f"{result.gap.iloc[-1]:+.2f}",
        "last_year": int(years.max()), "pre_rmspe": f"{result.pre_rmspe:.2f}",
        "p_value": None if p_value is None else f"{p_value:.3f}",
        "units": None if placebo is None else len(placebo), "starts": result.starts,
        "grade": grade, "grade_reason": reason, "notes": result.notes, "path_chart": path_chart,
        "gap_chart": gap_chart, "placebo_chart": placebo_chart,
        "placebo_table": placebo_table,
        "robustness": None if robustness is None else robustness.pipe(as_table),
        "weights": pd.DataFrame({"Donor": weights.index, "Weight": weights.map(
            lambda v: f"{v:.3f}")}).pipe(as_table),
        "balance": _balance(result).pipe(as_table), "v_note": _v_note(result),
        "v_choice": result.v_choice.describe(result.fit_years),
        "fit_comparison": None if fit_comparison is None else as_table(fit_comparison),
        "source": source, "ogl": placelens.OGL_ATTRIBUTION, "version": placelens.__version__,
        "today": date.today().isoformat()}
    html = template_environment().get_template("evaluation.html.j2").render(**context)
    stem = safe_stem(f"scm_{result.treated}_{result.treatment_year}")
    paths = {"html": out_dir / f"{stem}.html", "record": out_dir / f"{stem}.evidence.json"}
    paths["html"].write_text(html, encoding="utf-8")
    if pdf:
        from weasyprint import HTML

        paths["pdf"] = out_dir / f"{stem}.pdf"
        HTML(string=html, base_url=str(out_dir)).write_pdf(paths["pdf"])
    interval = "" if p_value is None or placebo is None else \
        f"placebo p = {p_value:.3f} ({len(placebo)} units, each fitted with {result.starts} " \
        "optimiser starts as the treated unit)"
    record = EvidenceRecord(result.treated, place_name, intervention, outcome_label,
                            "synthetic control", result.treatment_year, round(effect, 4),
                            outcome_label, interval, grade, reason, source,
                            date.today().isoformat(), _scm_specification(result, placebo))
    paths["record"].write_text(json.dumps(asdict(record), indent=2), encoding="utf-8")
    return paths


def _scm_specification(result: SCMResult, placebo: PlaceboTest | None) -> dict:
    """Method, donors, V and the years that fitted it, optimiser effort and inference."""
    return {
        "method": "synthetic control (Abadie, Diamond & Hainmueller 2010)",
        "donors": len(result.weights),
        "predictor_weights_V": {name: round(float(v), 4)
                                for name, v in result.predictor_weights.items()},
        "V_chosen": result.v_choice.describe(result.fit_years),
        "donor_weights": {str(name): round(float(w), 4)
                          for name, w in result.weights[result.weights > 0.001].items()},
        "optimiser_starts": result.starts, "seed": result.seed, "grade_rule": SCM_GRADE_RULE,
        "inference": "not run" if placebo is None else
        f"in-space placebo over {len(placebo)} units, each fitted with the same starts; "
        "p = rank of the post/pre RMSPE ratio"}


def _rounded(value: float) -> float | None:
    """The value to four decimals, or None when it is not finite (JSON has no NaN)."""
    return round(value, 4) if math.isfinite(value) else None


def _did_specification(staggered: StaggeredEstimate, twfe: Estimate,
                       small_sample: str) -> dict:
    """Method, control group, base period, inference, aggregation and the grade rule of a
    DiD, with the two-way fixed-effects estimate beside it and its standard-error convention."""
    if staggered.draws:
        errors = (f"multiplier bootstrap on the influence functions (Rademacher weights, "
                  f"clustered by unit), {staggered.draws} draws, seed {staggered.seed}; "
                  "standard errors from the interquartile range")
    else:
        errors = "analytic, from the influence functions (clustered by unit)"
    return {"method": "Callaway & Sant'Anna (2021), no covariates",
            "controls": f"{staggered.control}-treated units",
            "base_period": staggered.base,
            "standard_errors": errors,
            "event_study_band": f"{staggered.confidence:.0%} simultaneous, critical value "
                                f"{staggered.critical_value:.3f}",
            "group_time_band": f"{staggered.confidence:.0%} simultaneous over every ATT(g,t), "
                               f"critical value {staggered.group_time_critical_value:.3f}",
            "aggregation": "post-treatment ATT(g,t) weighted by cohort share (the weights' "
                           "estimation in the standard errors); event study by periods since "
                           "treatment",
            "twfe": {"estimate": round(twfe.estimate, 6), "std_error": round(twfe.std_error, 6),
                     "standard_errors": f"clustered by unit, CR1, small-sample correction "
                                        f"'{small_sample}'"},
            "grade_rule": GRADE_RULE}


def _balance(result: SCMResult) -> pd.DataFrame:
    """Each predictor's value for the treated unit, its synthetic control and the donor mean,
    with its weight in V (how much the fit attended to it)."""
    table = result.balance.round(3)
    table["V"] = result.predictor_weights.reindex(table.index).map(lambda v: f"{v:.3f}")
    return table.reset_index(names="Predictor")


def _v_note(result: SCMResult) -> str:
    """A sentence when V puts over 80% of its weight on one or two predictors (a corner
    solution: the other predictors barely shaped the synthetic control)."""
    share = (result.predictor_weights / result.predictor_weights.sum()).sort_values(
        ascending=False)
    leading = share[share.cumsum().shift(fill_value=0) < 0.8]
    if len(share) > 2 and len(leading) <= 2:
        shares = " and ".join(f"{name} {value:.0%}" for name, value in leading.items())
        return (f"V is concentrated: {shares} of the predictor weight, so the other "
                "predictors barely shaped the synthetic control; compare the balance above.")
    return ""


def _placebo_parts(result: SCMResult, placebo: PlaceboTest | None, place_name: str,
                   outcome_label: str, source: str) -> tuple[charts.Chart | None, dict | None]:
    """The placebo-gaps chart and the table of the ten largest post/pre ratios."""
    if placebo is None:
        return None, None
    gaps = placebo.gaps.stack().rename("value").reset_index()
    gaps.columns = ["period", "unit", "value"]
    gaps["series"] = gaps["unit"].where(gaps["unit"] == result.treated, "placebo units")
    chart = charts.placebo_chart(gaps, result.treated,
                                 f"Gaps for {place_name} and every placebo unit",
                                 outcome_label, source)
    ranked = placebo.table.sort_values("ratio", ascending=False)
    table = pd.DataFrame({
        "Unit": ranked.index, "Pre RMSPE": ranked["pre_rmspe"].map(lambda v: f"{v:.2f}"),
        "Post RMSPE": ranked["post_rmspe"].map(lambda v: f"{v:.2f}"),
        "Post/pre ratio": ranked["ratio"].map(lambda v: f"{v:.2f}")}).head(10)
    return chart, as_table(table)


def write_did_record(out_dir: Path, codes: str, names: str, intervention: str, outcome: str,
                     source: str, start_year: int, staggered: StaggeredEstimate,
                     twfe: Estimate, small_sample: str) -> Path:
    """The event study and every ATT(g, t) with their bands (CSV) and the evidence record
    (JSON) of a difference-in-differences,
    graded from its pre-trends (:func:`placelens.analysis.staggered_did.evidence_grade`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staggered.event_study.to_csv(out_dir / "did_event_study.csv")
    staggered.group_time.to_csv(out_dir / "did_group_time.csv", index=False)
    robust = staggered.overall
    low, high = robust.interval
    grade, reason = did_grade(staggered)
    record = EvidenceRecord(codes, names, intervention, outcome,
                            "difference-in-differences (Callaway–Sant'Anna)", start_year,
                            _rounded(robust.estimate), outcome,
                            f"95% CI {low:.4g} to {high:.4g}", grade, reason, source,
                            date.today().isoformat(),
                            _did_specification(staggered, twfe, small_sample))
    path = out_dir / "did.evidence.json"
    path.write_text(json.dumps(asdict(record), indent=2), encoding="utf-8")
    return path



def attach_plan(record_path: Path, plan: dict) -> None:
    """Add the registered plan an evaluation ran (``spec`` and its ``digest``) to its
    evidence record, so a reader can check that what was run is what was registered."""
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record["specification"]["registered_plan"] = plan
    record_path.write_text(json.dumps(record, indent=2), encoding="utf-8")
