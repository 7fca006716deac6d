"""Research council funding by place and year, from a complete grant register.

Each grant's value is spread over calendar years pro rata to the days of its duration in each
year (start and end days both count), and attributed to the place of its lead research
organisation — the organisation that holds and spends the grant. A register lists every
grant, so a place with no led grant in a year has funding zero, not a missing value. Grants
whose lead organisation could not be placed are kept aside as ``unplaced`` so the national
total still matches the register.
"""

from __future__ import annotations

import pandas as pd

from placelens.analysis.networks import Period, value_in_period

UNPLACED = "unplaced"


def funding_by_area(projects: pd.DataFrame, lead_area: pd.Series, years: list[int],
                    areas: list[str]) -> pd.DataFrame:
    """Grant value in each calendar year by the lead organisation's area.

    Parameters
    ----------
    projects
        One row per grant: project_id, start_date, end_date, value_gbp, lead_org_id.
    lead_area
        Area code of each organisation (index org_id; NaN where it could not be placed).
    years
        Calendar years to report.
    areas
        Every area to report; those without a led grant in a year get 0.

    Returns
    -------
    pandas.DataFrame
        Long table: area_code, period (year as text), value_gbp. Value led from unplaced
        organisations is reported under the area code ``"unplaced"``.
    """
    area = projects["lead_org_id"].map(lead_area).fillna(UNPLACED).to_numpy()
    frames = []
    for year in years:
        value = value_in_period(projects, Period(year, year)).fillna(0.0).to_numpy()
        by_area = pd.Series(value).groupby(area).sum()
        full = by_area.reindex([*areas, UNPLACED]).fillna(0.0)
        frames.append(pd.DataFrame({"area_code": full.index, "period": str(year),
                                    "value_gbp": full.to_numpy()}))
    return pd.concat(frames, ignore_index=True)
