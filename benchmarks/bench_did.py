"""Callaway–Sant'Anna with a multiplier bootstrap: placelens vs csdid 0.4.3, one process.

Run: ``.venv/bin/python benchmarks/bench_did.py [--repeats N]``. Target (issue 20): at least
as fast as csdid for ATT(g,t) plus the simple and dynamic aggregations with a 1,000-draw
multiplier bootstrap (simultaneous band). Two generated panels (no covariates, not-yet-treated
controls, varying base, as csdid's default): one shaped like R ``did``'s ``mpdta`` (500
counties, 2003–2007, cohorts 2004/2006/2007 and never) and a larger one (3,000 units, 20
years, 5 cohorts). Both packages get the same panel; the estimates are checked equal before
timing, and each side's best of N repeats is reported with the ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time
import warnings

import numpy as np
import pandas as pd

from placelens.analysis import staggered_did as sd


def panel(units: int, years: range, cohorts: list[int], shares: list[float],
          seed: int = 0) -> pd.DataFrame:
    """A balanced panel with unit effects, a common trend and effects growing with exposure;
    ``g`` is the first treated year (0 never), drawn with ``shares``."""
    rng = np.random.default_rng(seed)
    first = rng.choice([*cohorts, 0], size=units, p=[*shares, 1 - sum(shares)])
    unit_effect = rng.normal(0, 1, units)
    frame = pd.DataFrame({"id": np.repeat(np.arange(units), len(years)),
                          "year": np.tile(np.array(years), units),
                          "g": np.repeat(first, len(years))})
    exposure = np.where((frame["g"] > 0) & (frame["year"] >= frame["g"]),
                        frame["year"] - frame["g"] + 1, 0)
    frame["y"] = (np.repeat(unit_effect, len(years)) + 0.1 * (frame["year"] - years[0])
                  + 0.05 * exposure + rng.normal(0, 0.3, len(frame)))
    return frame


def ours(frame: pd.DataFrame) -> sd.StaggeredEstimate:
    return sd.callaway_santanna(frame.assign(first=frame["g"].replace(0, np.nan)), "id",
                                "year", "y", "first", control="notyet", base="varying",
                                draws=1000, seed=1)


def theirs(frame: pd.DataFrame) -> tuple[float, pd.Series]:
    from csdid.att_gt import ATTgt

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")         # csdid prints its summaries; not timed apart
        fit = ATTgt(yname="y", tname="year", idname="id", gname="g", data=frame,
                    control_group=["notyettreated"], biters=1000, cband=True).fit(
            est_method="reg", base_period="varying", bstrap=True)
        simple = fit.aggte(typec="simple").atte
        dynamic = fit.aggte(typec="dynamic").atte
    return simple["overall_att"], pd.Series(dynamic["att_egt"], index=dynamic["egt"])


def best(function, frame: pd.DataFrame, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function(frame)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    cases = {"mpdta-shaped: 500 units × 5 years, 3 cohorts":
             panel(500, range(2003, 2008), [2004, 2006, 2007], [0.04, 0.08, 0.26]),
             "3,000 units × 20 years, 5 cohorts":
             panel(3000, range(2000, 2020), [2004, 2007, 2010, 2013, 2016], [0.1] * 5)}
    for name, frame in cases.items():
        mine, (overall, dynamic) = ours(frame), theirs(frame)
        assert abs(mine.overall.estimate - overall) < 1e-10
        assert np.allclose(mine.event_study["estimate"], dynamic.loc[mine.event_study.index],
                           atol=1e-10)
        placelens_s = best(ours, frame, args.repeats)
        csdid_s = best(theirs, frame, args.repeats)
        print(f"{name}: placelens {placelens_s * 1000:.0f} ms, csdid {csdid_s * 1000:.0f} ms, "
              f"csdid/placelens = {csdid_s / placelens_s:.1f}× (best of {args.repeats}; "
              "same estimates to 1e-10)")


if __name__ == "__main__":
    main()
