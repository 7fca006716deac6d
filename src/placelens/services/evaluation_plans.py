"""Evaluation plans (ROAMEF's appraisal-to-evaluation step; docs/evidence.md): before an
intervention starts, which designs are feasible for a district and a warehouse indicator, how
large an effect they could detect, when each year's outcome will be published, and the exact
specification to register, so that the evaluation run afterwards is the one planned."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, fields
from typing import Any

import pandas as pd

from placelens.analysis.evaluation_plan import (
    MinimumDetectableEffect,
    held_out_fit,
    minimum_detectable_effect,
)
from placelens.analysis.synthetic_control import Predictor
from placelens.errors import DataFormatError, PlacelensError
from placelens.evidence_terms import INTERVENTION_TYPES
from placelens.geography.places import Place
from placelens.services.evaluation import Panel, parse_predictor
from placelens.services.indicators import IndicatorService

#: Statistically similar districts used as the donor pool and the DiD comparators: ADH
#: advise a pool of units like the treated one, and a small pool keeps placebos quick.
PLAN_DONORS = 20
#: Pre-period years held out to see how far synthetic controls drift with no intervention.
HELD_OUT_YEARS = 4
#: Years after the start whose publication dates the plan lists.
FOLLOW_UP_YEARS = 5


_NUMBERS: dict[str, type | tuple[type, ...]] = {
    "start_year": int, "starts": int, "seed": int, "did_draws": int, "alpha": (int, float)}


@dataclass(frozen=True)
class PlanSpec:
    """The registered specification: everything ``placelens evaluate run-plan`` needs, so it
    runs the plan unchanged. ``predictors`` are written VARIABLE:YEARS as on the CLI."""

    place: str
    place_name: str
    outcome: str
    outcome_label: str
    intervention: str
    intervention_type: str
    start_year: int
    donors: tuple[str, ...]
    predictors: tuple[str, ...]
    starts: int = 10
    seed: int = 0
    alpha: float = 0.10
    did_control: str = "never"
    did_base: str = "universal"
    did_draws: int = 1000

    def to_dict(self) -> dict:
        body = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in body.items()}

    @property
    def digest(self) -> str:
        """SHA-256 of the specification's canonical JSON: equal digests, equal plans."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @classmethod
    def from_dict(cls, body: dict, source: str = "plan") -> PlanSpec:
        """A specification read back from its JSON, every field checked by name."""
        values: dict[str, Any] = {}
        for spec in fields(cls):
            if spec.name not in body:
                raise DataFormatError(source, f"the plan has no {spec.name!r}",
                                      column=spec.name)
            value = body[spec.name]
            wanted = _NUMBERS.get(spec.name)
            if wanted and (not isinstance(value, wanted) or isinstance(value, bool)):
                raise DataFormatError(source, f"{spec.name} must be a number, not {value!r}",
                                      column=spec.name)
            values[spec.name] = tuple(value) if isinstance(value, list) else value
        if values["intervention_type"] not in INTERVENTION_TYPES:
            raise DataFormatError(source, f"unknown intervention type "
                                  f"{values['intervention_type']!r}", column="intervention_type")
        return cls(**values)

    def predictor_objects(self) -> list[Predictor]:
        return [parse_predictor(text) for text in self.predictors]


@dataclass(frozen=True)
class EvaluationPlan:
    """A plan: the specification, the minimum detectable effect of its synthetic control,
    which designs are feasible and why, and when each year's outcome will be published."""

    spec: PlanSpec
    mde: MinimumDetectableEffect
    held_out: tuple[int, int]
    designs: pd.DataFrame
    data_dates: pd.DataFrame
    source: str

    def record(self) -> dict:
        """The pre-registration record stored in the workspace (JSON)."""
        return {"spec": self.spec.to_dict(), "digest": self.spec.digest,
                "minimum_detectable_effect": {
                    "value": None if self.mde.value == float("inf") else round(self.mde.value, 4),
                    "alpha": self.mde.alpha, "rank_needed": self.mde.rank_needed,
                    "placebo_units": self.mde.units,
                    "ratio_to_beat": round(self.mde.ratio_to_beat, 4),
                    "held_out_years": list(self.held_out)},
                "designs": self.designs.to_dict("records"),
                "data_dates": self.data_dates.to_dict("records"), "source": self.source}


def source_release(indicators: IndicatorService, outcome: str) -> str:
    """The release of the source behind an indicator (e.g. "June 2024")."""
    meta = indicators.warehouse.table("indicators").set_index("indicator")
    if outcome not in meta.index:
        raise PlacelensError(f"no indicator {outcome!r} in the warehouse")
    sources = indicators.warehouse.table("sources").set_index("source_id")
    return str(sources.loc[meta.loc[outcome, "source_id"], "release"])


def _span(variable: str, years: list[int]) -> str:
    return f"{variable}:{years[0]}-{years[-1]}" if len(years) > 1 else f"{variable}:{years[0]}"


def plan_evaluation(panel: Panel, similar: list[str], place: Place, start_year: int,
                    intervention: str, intervention_type: str, release: str,
                    donors: int = PLAN_DONORS, alpha: float = 0.10) -> EvaluationPlan:
    """Plan the evaluation of an intervention in a district starting in ``start_year``.

    Parameters
    ----------
    panel
        The indicator's district panel (:func:`placelens.services.evaluation.warehouse_panel`).
    similar
        Codes of districts like ``place``, most similar first (the first ``donors`` with a
        complete series form the donor pool and the DiD comparators).
    place
        The district.
    start_year
        First year the intervention could affect the outcome.
    intervention, intervention_type
        Its name and type.
    release
        The source's release (e.g. "June 2024"), for the publication dates.
    donors
        How many similar districts form the donor pool.
    alpha
        Significance level of the placebo test.

    Returns
    -------
    EvaluationPlan
        The specification, the minimum detectable effect, feasible designs and data dates.
    """
    if intervention_type not in INTERVENTION_TYPES:
        raise PlacelensError(f"intervention type must be one of {', '.join(INTERVENTION_TYPES)}")
    frame = panel.frame
    units = set(frame[panel.unit])
    if place.code not in units:
        raise PlacelensError(f"{place.name} has no complete series of {panel.label}")
    pool = [code for code in similar if code in units and code != place.code][:donors]
    years = sorted(int(y) for y in frame[panel.time].unique())
    pre = [y for y in years if y < start_year]
    if len(pre) < HELD_OUT_YEARS + 3:
        raise PlacelensError(f"{panel.label} has {len(pre)} years before {start_year}; a plan "
                             f"needs at least {HELD_OUT_YEARS + 3}")
    spec = PlanSpec(place.code, place.name, panel.outcome, panel.label, intervention,
                    intervention_type, start_year, tuple(pool),
                    tuple(_predictors(panel.outcome, pre)), alpha=alpha)
    held_start = pre[-HELD_OUT_YEARS]
    early = [y for y in pre if y < held_start]
    window = frame[frame[panel.unit].isin([place.code, *pool])]
    fits = held_out_fit(window, panel.unit, panel.time, panel.outcome, held_start, pre[-1],
                        [parse_predictor(t) for t in _predictors(panel.outcome, early)],
                        units=[place.code, *pool], starts=spec.starts, seed=spec.seed)
    mde = minimum_detectable_effect(fits["ratio"].drop(place.code),
                                    float(fits.loc[place.code, "pre_rmspe"]), alpha)
    return EvaluationPlan(spec, mde, (held_start, pre[-1]),
                          _designs(spec, mde, pre, held_start,
                                   fits.loc[place.code, "pre_rmspe"]),
                          _data_dates(start_year, years[-1], release), panel.source)


def _predictors(outcome: str, pre: list[int]) -> list[str]:
    """The pre-period mean and three pre-period years (first, middle, last), as the CLI's
    default, with the years written out so the plan does not change when data are added."""
    return [_span(outcome, pre), *[f"{outcome}:{y}" for y in
                                   dict.fromkeys((pre[0], pre[len(pre) // 2], pre[-1]))]]


def _designs(spec: PlanSpec, mde: MinimumDetectableEffect, pre: list[int], held_start: int,
             treated_rmspe: float) -> pd.DataFrame:
    """Each design, whether it is feasible and what it rests on. The fit quoted is the
    planning fit's (on the years before the held-out ones), the one the MDE is read from."""
    detectable = mde.value != float("inf")
    return pd.DataFrame([
        {"design": "synthetic control (primary)", "feasible": detectable,
         "detail": f"donor pool: the {len(spec.donors)} most similar districts; {len(pre)} "
                   f"pre-treatment years ({pre[0]}–{pre[-1]}); planning fit RMSPE "
                   f"{treated_rmspe:.3g} on {pre[0]}–{held_start - 1}; placebo test at "
                   f"α = {spec.alpha:g} "
                   + (f"detects an effect of {mde.value:.3g} or more" if detectable else
                      "cannot reach significance with this many donors")},
        {"design": "difference-in-differences (Callaway–Sant'Anna)",
         "feasible": len(spec.donors) >= 2,
         "detail": f"the same {len(spec.donors)} districts as never-treated comparators, "
                   f"{spec.did_base} base period, {spec.did_draws} bootstrap draws; rests on "
                   "parallel trends, which the event study's pre-period estimates test; with "
                   "one treated district its standard errors are unreliable, so it is the "
                   "check on the synthetic control, not the headline"}])


def _data_dates(start_year: int, last_year: int, release: str) -> pd.DataFrame:
    """When each year from the start will be published, from the source's current lag
    between the last year it covers and its release (e.g. 2022 data in June 2024)."""
    found = re.search(r"(\w+)?\s*(\d{4})", release or "")
    rows = []
    for year in range(start_year, start_year + FOLLOW_UP_YEARS):
        if year <= last_year:
            when = "published (in the warehouse now)"
        elif found:
            lag = int(found.group(2)) - last_year
            when = f"expected about {(found.group(1) or '').strip()} {year + lag}".replace(
                "about  ", "about ")
        else:
            when = "after the source's next releases (release date unknown)"
        rows.append({"year": year, "observable": when})
    return pd.DataFrame(rows)
