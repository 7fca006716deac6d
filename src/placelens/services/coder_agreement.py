"""Team coding: how far a partnership's coders agree, code by code, and where they do not
(docs/qualitative.md). Units are paragraphs (:data:`placelens.analysis.agreement.UNIT_DEFINITION`);
a coder counts as having read a source when they coded anything in it, and is missing for the
sources they did not code at all. Sources still being coded blind are left out until every
assigned coder has finished, so the disagreement view cannot unblind them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select

from placelens.analysis.agreement import (
    UNIT_DEFINITION,
    coded_units,
    cohen_kappa,
    krippendorff_alpha,
    paragraphs,
)
from placelens.db.database import Database
from placelens.db.qual_models import QualCode, QualSource
from placelens.services.access import require_role
from placelens.services.accounts import Account
from placelens.services.qualitative import coding_is_blind


def _coded(db: Database, actor: Account, partnership_id: int):
    """Per source: its text, its coders, and {code name: {coder: spans}}."""
    with db.session() as session:
        require_role(session, actor, partnership_id, "viewer")
        codes = [c.name for c in session.scalars(select(QualCode).where(
            QualCode.partnership_id == partnership_id).order_by(QualCode.id))]
        rows = []
        for source in session.scalars(select(QualSource).where(
                QualSource.partnership_id == partnership_id).order_by(QualSource.id)):
            if coding_is_blind(source):
                continue
            spans: dict[str, dict[str, list]] = {}
            coders: set[str] = set()
            for selection in source.selections:
                for coding in selection.codings:
                    coders.add(coding.coder)
                    spans.setdefault(coding.code.name, {}).setdefault(coding.coder, []).append(
                        (selection.start, selection.end))
            rows.append((source.name, source.text, sorted(coders), spans))
    return codes, rows


@dataclass(frozen=True)
class Agreement:
    """Agreement per code (``table``: code, coders, units, kappa, alpha) and the unit it was
    measured on, in words."""

    table: pd.DataFrame
    unit: str = UNIT_DEFINITION


def agreement(db: Database, actor: Account, partnership_id: int) -> Agreement:
    """Cohen's kappa (when exactly two coders) and Krippendorff's alpha for every code, on
    the paragraphs of the sources two or more coders coded.

    Parameters
    ----------
    db
        The application database.
    actor
        A member of the partnership.
    partnership_id
        The partnership.

    Returns
    -------
    Agreement
        One row per code: coders, units, kappa, alpha (NaN when undefined), and the unit.
    """
    codes, rows = _coded(db, actor, partnership_id)
    everyone = sorted({c for _, _, coders, _ in rows for c in coders})
    result = []
    for code in codes:
        blocks = []
        for _, text, coders, spans in rows:
            if len(coders) < 2:
                continue
            table = coded_units(text, {c: spans.get(code, {}).get(c, []) for c in everyone})
            read = np.array([c in coders for c in everyone])
            blocks.append(np.where(read[:, None], table.astype(float), np.nan))
        data = np.hstack(blocks) if blocks else np.empty((len(everyone), 0))
        both = ~np.isnan(data).any(axis=0)
        kappa = cohen_kappa(list(data[0, both]), list(data[1, both])) \
            if len(everyone) == 2 and both.any() else math.nan
        pairable = int(((~np.isnan(data)).sum(axis=0) >= 2).sum())
        result.append({"code": code, "coders": len(everyone), "units": pairable,
                       "kappa": kappa,
                       "alpha": krippendorff_alpha(data) if data.size else math.nan})
    return Agreement(pd.DataFrame(result, columns=["code", "coders", "units", "kappa",
                                                   "alpha"]))


def disagreements(db: Database, actor: Account, partnership_id: int, code: str
                  ) -> list[dict]:
    """The paragraphs where coders who read a source differ on ``code``: the source, the
    paragraph, who applied the code and who did not."""
    _, rows = _coded(db, actor, partnership_id)
    found = []
    for name, text, coders, spans in rows:
        if len(coders) < 2:
            continue
        table = coded_units(text, {c: spans.get(code, {}).get(c, []) for c in coders})
        for column, (start, end) in enumerate(paragraphs(text)):
            applied = [c for c, row in zip(coders, table, strict=True) if row[column]]
            if 0 < len(applied) < len(coders):
                found.append({"source": name, "paragraph": text[start:end],
                              "applied": applied,
                              "not applied": [c for c in coders if c not in applied]})
    return found
