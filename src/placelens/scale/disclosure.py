"""Statistical disclosure control for cells built from firm-level microdata (docs/scale.md).

A cell (an area × activity total) is released only if it passes both rules:

* **threshold**: at least ``min_units`` contributing firms;
* **dominance** (the (n, k) rule): the ``n`` largest contributors hold no more than ``k`` per
  cent of the cell's total, so no firm's figure can be estimated closely from the total.

These are the two primary rules the ONS and HMRC apply to business statistics (the usual
values are a threshold of 10 firms in a secure environment's outputs and a (1, 50) or
(2, 75) dominance rule); both are parameters here, and the rule applied travels with the
output as its provenance. Secondary suppression (protecting a suppressed cell from being
recovered by subtraction from a margin) is not applied: margins are not released."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import ibis
import ibis.expr.types as ir

from placelens.errors import InputError


@dataclass(frozen=True)
class DisclosureRule:
    """The primary suppression rules: a minimum number of contributors and an (n, k)
    dominance rule."""

    min_units: int = 10
    dominance_n: int = 1
    dominance_k: float = 50.0

    def __post_init__(self):
        if self.min_units < 1:
            raise InputError("min_units", "The threshold is at least one contributor")
        if self.dominance_n < 1:
            raise InputError("dominance_n", "The dominance rule counts at least one firm")
        if not 0 < self.dominance_k <= 100:
            raise InputError("dominance_k", "The dominance share is a percentage in (0, 100]")

    def describe(self) -> str:
        """The rule in words, as recorded in provenance."""
        return (f"cells with fewer than {self.min_units} firms, or whose {self.dominance_n} "
                f"largest firm(s) hold more than {self.dominance_k:g}% of the cell total, "
                "are suppressed (primary suppression only; margins not released)")

    def to_dict(self) -> dict:
        return asdict(self)


def protected_cells(contributions: ir.Table, keys: list[str], value: str,
                    rule: DisclosureRule) -> ir.Table:
    """Cell totals with the rule applied, as one Ibis expression.

    Parameters
    ----------
    contributions
        One row per firm and cell: the cell's ``keys`` and the firm's ``value``.
    keys
        The columns that make a cell (area, activity).
    value
        The additive quantity (employment, turnover).
    rule
        The disclosure rule.

    Returns
    -------
    ibis.Table
        One row per cell: ``keys``, ``units`` (contributing firms), ``total``, ``top``
        (the ``n`` largest contributions), and ``released`` (False where suppressed); ``total``
        is null where suppressed, so nothing suppressed leaves the engine.
    """
    if rule.dominance_n == 1:    # the largest contribution is the maximum: no sort needed
        cells = contributions.group_by(keys).aggregate(
            units=contributions.count(), total=contributions[value].sum(),
            top=contributions[value].max())
    else:
        ranked = contributions.mutate(rank=ibis.row_number().over(ibis.window(
            group_by=[contributions[k] for k in keys],
            order_by=ibis.desc(contributions[value]))))
        cells = ranked.group_by(keys).aggregate(
            units=ranked.count(), total=ranked[value].sum(),
            top=ibis.cases((ranked["rank"] < rule.dominance_n, ranked[value]),
                           else_=0).sum())
    released = (cells.units >= rule.min_units) & (
        cells.top * 100 <= cells.total * rule.dominance_k)
    hidden = ibis.null().cast("float64")
    return cells.mutate(released=released,
                        total=ibis.cases((released, cells.total.cast("float64")),
                                         else_=hidden),
                        top=ibis.cases((released, cells.top.cast("float64")), else_=hidden))
