"""Leadership styles of "Making innovative places" (NESTA 2008), measured from funded R&D.

Two variables set the style:

* innovation diversity, the number of actors engaged: the place's organisations active in
  funded R&D projects in the period;
* dispersal of decision-making, the number of people making decisions: the effective number
  of organisations leading the projects the place takes part in, 1 / Σ s², where s is each
  lead organisation's share of the funding of those projects (wherever the lead is). One lead
  holding all funding gives 1; n equal leads give n.

Each is called "many" when above its national median in the same period (over places with any
activity) and "few" otherwise:

============  ==============  =============================
deciders      actors          style
============  ==============  =============================
few           many            orchestral
few           few             barber shop quartet
many          few             enthusiastic improvisation
many          many            jamming super-group
============  ==============  =============================
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STYLES = {(False, True): "orchestral", (False, False): "barber shop quartet",
          (True, False): "enthusiastic improvisation", (True, True): "jamming super-group"}
DESCRIPTIONS = {
    "orchestral": "A few conductors co-ordinating many innovators.",
    "barber shop quartet": "Skilful, but for a small audience: a few leaders, largely for the "
                           "benefit of a few players.",
    "enthusiastic improvisation": "Relatively few innovation actors but many deciders: "
                                  "parallel activities, not always co-ordinated.",
    "jamming super-group": "Many actors and many deciders: multiple, competing visions with "
                           "great depth in innovation capacity.",
}
NO_ACTIVITY = "no funded R&D recorded"


def leadership_styles(metrics: pd.DataFrame, reference: pd.DataFrame | None = None
                      ) -> pd.DataFrame:
    """Style of each place in each period.

    ``metrics``: one row per (area_code, period) with ``active_organisations`` and
    ``effective_deciders`` (from :func:`placelens.analysis.networks.place_metrics`).
    ``reference``: the national distribution the medians come from (default ``metrics``
    itself). Returns those columns with the period's medians, the place's ratio to each median
    and the style.
    """
    out = metrics[["area_code", "period", "active_organisations", "effective_deciders"]].copy()
    active = _active(out)
    reference = out if reference is None else reference
    medians = reference[_active(reference)].groupby("period")[
        ["active_organisations", "effective_deciders"]].median()
    out["actors_median"] = out["period"].map(medians["active_organisations"])
    out["deciders_median"] = out["period"].map(medians["effective_deciders"])
    out["actors_ratio"] = out["active_organisations"] / out["actors_median"]
    out["deciders_ratio"] = out["effective_deciders"] / out["deciders_median"]
    many_actors = out["active_organisations"] > out["actors_median"]
    many_deciders = out["effective_deciders"] > out["deciders_median"]
    out["leadership_style"] = [STYLES[(d, a)] if ok else NO_ACTIVITY for d, a, ok in zip(
        many_deciders, many_actors, active, strict=True)]
    out.loc[~active, ["actors_ratio", "deciders_ratio"]] = np.nan
    return out.reset_index(drop=True)


def _active(metrics: pd.DataFrame) -> pd.Series:
    return (metrics["active_organisations"] > 0) & metrics["effective_deciders"].notna()
