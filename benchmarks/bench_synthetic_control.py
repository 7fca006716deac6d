"""Synthetic control: placelens vs pysyncon 1.7.0 on California Proposition 99, one process.

Run: ``.venv/bin/python benchmarks/bench_synthetic_control.py [--peer-placebos N]``.
Target (issue 7): the Prop 99 fit plus the full in-space placebo (38 refits) in under 10 s.
Every placelens placebo gets the treated fit's optimiser effort (10 starts of the V search,
issue 20); pysyncon makes one optimiser run per fit. The peer (default Nelder–Mead) is timed on
the single fit and on N placebo units (default 2; each is a full fit), and the ratios printed
per fit and per optimiser start (placelens's time divided by its 10 starts).
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import pandas as pd

from placelens.analysis import synthetic_control as sc
from placelens.analysis import synthetic_control_checks as checks
from placelens.sources.provenance import datapack_dir

PREDICTORS = [sc.Predictor("lnincome", tuple(range(1980, 1989))),
              sc.Predictor("retprice", tuple(range(1980, 1989))),
              sc.Predictor("age15to24", tuple(range(1980, 1989))),
              sc.Predictor("beer", tuple(range(1984, 1989))),
              sc.Predictor("cigsale", (1988,)), sc.Predictor("cigsale", (1980,)),
              sc.Predictor("cigsale", (1975,))]


def peer_fit(panel: pd.DataFrame, treated: str, donors: list[str]):
    from pysyncon import Dataprep, Synth

    prep = Dataprep(
        foo=panel, predictors=["lnincome", "retprice", "age15to24"], predictors_op="mean",
        time_predictors_prior=range(1980, 1989),
        special_predictors=[("beer", range(1984, 1989), "mean"), ("cigsale", [1988], "mean"),
                            ("cigsale", [1980], "mean"), ("cigsale", [1975], "mean")],
        dependent="cigsale", unit_variable="state", time_variable="year",
        treatment_identifier=treated, controls_identifier=donors,
        time_optimize_ssr=range(1970, 1989))
    synth = Synth()
    synth.fit(dataprep=prep)
    return synth.weights(round=3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--peer-placebos", type=int, default=2)
    args = parser.parse_args()
    panel = pd.read_csv(Path(datapack_dir()) /
                        "synth_control_benchmarks/california_prop99_smoking_adh2010.csv")
    states = sorted(panel["state"].unique())
    donors = [s for s in states if s != "California"]

    started = time.perf_counter()
    result = sc.synthetic_control(panel, "state", "year", "cigsale", "California", 1989,
                                  PREDICTORS)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    placebo = checks.placebo_in_space(panel, "state", "year", "cigsale", result, PREDICTORS)
    placebo_seconds = time.perf_counter() - started
    top = result.weights.sort_values(ascending=False).head(5).round(3)
    print(f"placelens: fit {fit_seconds:.2f} s; in-space placebo ({len(placebo) - 1} refits) "
          f"{placebo_seconds:.2f} s; total {fit_seconds + placebo_seconds:.2f} s "
          f"(target < 10 s); p = {placebo.p_value:.4f}; weights {top.to_dict()}")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        weights = peer_fit(panel, "California", donors)
        peer_seconds = time.perf_counter() - started
        peer_placebo = []
        for unit in donors[: args.peer_placebos]:
            started = time.perf_counter()
            peer_fit(panel[panel["state"] != "California"], unit,
                     [d for d in donors if d != unit])
            peer_placebo.append(time.perf_counter() - started)
    top = weights.sort_values(ascending=False).head(5).to_dict()
    per_placebo = sum(peer_placebo) / max(len(peer_placebo), 1)
    ours_per_placebo = placebo_seconds / (len(placebo) - 1)
    print(f"pysyncon 1.7.0: fit {peer_seconds:.2f} s; weights {top}; placebo units "
          f"{', '.join(f'{s:.1f} s' for s in peer_placebo)}")
    print(f"ratio: single fit {peer_seconds / fit_seconds:.0f}x; per placebo unit "
          f"{per_placebo / ours_per_placebo:.0f}x; the full 38-unit placebo would take the peer "
          f"about {per_placebo * 38 / 60:.0f} min against {placebo_seconds:.1f} s")
    print(f"per optimiser start (placelens {result.starts} per fit, pysyncon 1): single fit "
          f"{peer_seconds / (fit_seconds / result.starts):.0f}x; per placebo unit "
          f"{per_placebo / (ours_per_placebo / result.starts):.0f}x")


if __name__ == "__main__":
    main()
