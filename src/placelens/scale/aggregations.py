"""The heavy aggregations as Ibis expressions, one definition for every engine (docs/scale.md):
firm records to area × activity cells under disclosure control, funded projects' participants
to links between places, small-area flows to area flows, and values on old geography codes
re-aggregated onto their successors. Each function takes and returns Ibis tables; nothing
runs until the caller executes the result on a backend (:mod:`placelens.scale.backends`)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from placelens.scale.disclosure import DisclosureRule, protected_cells

#: The columns a firm-level register must have (one row per firm, place and year).
REGISTER_COLUMNS = ("firm_id", "year", "area_code", "activity", "employment")


def area_activity_cells(register: ir.Table, rule: DisclosureRule,
                        value: str = "employment") -> ir.Table:
    """Year × area × activity totals of ``value`` from firm records, disclosure-controlled.

    Parameters
    ----------
    register
        Firm records with :data:`REGISTER_COLUMNS` (a firm with several local units in one
        cell counts once, its units summed).
    rule
        The disclosure rule applied before anything leaves the engine.
    value
        The additive column to total.

    Returns
    -------
    ibis.Table
        ``year, area_code, activity, units, total, top, released`` (see
        :func:`~placelens.scale.disclosure.protected_cells`).
    """
    keys = ["year", "area_code", "activity"]
    firms = register.group_by([*keys, "firm_id"]).aggregate(
        **{value: register[value].sum()})
    return protected_cells(firms, keys, value, rule)


def place_links(participants: ir.Table) -> ir.Table:
    """Links between places from the projects their organisations share.

    Parameters
    ----------
    participants
        ``project_id, area_code``: one row per participating organisation.

    Returns
    -------
    ibis.Table
        ``area_a, area_b, projects``: each unordered pair of distinct places (``area_a`` <
        ``area_b``) and the number of projects with participants in both.
    """
    places = participants.select("project_id", "area_code").distinct()
    left = places.rename(area_a="area_code")
    right = places.rename(area_b="area_code", project_b="project_id")
    pairs = left.join(right, (left.project_id == right.project_b)
                      & (left.area_a < right.area_b))
    return pairs.group_by(["area_a", "area_b"]).aggregate(
        projects=pairs.project_id.nunique())


def area_flows(flows: ir.Table, lookup: ir.Table) -> ir.Table:
    """Small-area flows (commuting, say) summed onto larger areas.

    Parameters
    ----------
    flows
        ``origin, destination, count`` between small areas.
    lookup
        ``code, area``: the larger area of each small area.

    Returns
    -------
    ibis.Table
        ``origin_area, destination_area, count``; flows from or to a small area the lookup
        does not hold are left out.
    """
    origin = lookup.rename(origin="code", origin_area="area")
    destination = lookup.rename(destination="code", destination_area="area")
    joined = flows.join(origin, "origin").join(destination, "destination")
    return joined.group_by(["origin_area", "destination_area"]).aggregate(
        count=joined["count"].sum())


def reaggregate(values: ir.Table, successors: ir.Table) -> ir.Table:
    """Values on old area codes moved onto their successors.

    Parameters
    ----------
    values
        ``area_code, activity, value``.
    successors
        ``old_code, new_code, weight``: the share of an old area's value that goes to each
        successor (1 for a plain renaming or a merger; shares summing to 1 for a split).

    Returns
    -------
    ibis.Table
        ``area_code, activity, value`` on the successor codes (codes with no successor are
        kept as they are).
    """
    joined = values.left_join(successors, values.area_code == successors.old_code)
    moved = joined.mutate(
        area_code=ibis.coalesce(joined.new_code, joined.area_code),
        value=joined.value * ibis.coalesce(joined.weight, 1.0))
    return moved.group_by(["area_code", "activity"]).aggregate(value=moved.value.sum())
