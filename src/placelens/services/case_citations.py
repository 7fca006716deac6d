"""Evidence-library studies citing qualitative case material (docs/qualitative.md): a
partnership's study can cite coded passages — of its own sources, or of any published
source — by their persistent GUIDs, and a study page shows each cited passage with its
provenance and consent basis, but only to those who may see the passage's source. A study
published while a passage it cites is private shows the study, never the passage."""

from __future__ import annotations

from sqlalchemy import or_, select

from placelens.db.qual_models import EvidenceCitation, QualSelection, QualSource
from placelens.errors import InputError
from placelens.services.access import audit
from placelens.services.accounts import Account
from placelens.services.evidence_library import EvidenceLibrary
from placelens.services.qualitative import QualitativeService


def cite_passage(library: EvidenceLibrary, actor: Account, study_id: int,
                 selection_guid: str) -> None:
    """Cite a coded passage in a partnership's study (editors).

    Parameters
    ----------
    library
        The evidence library.
    actor
        An editor of the study's partnership.
    study_id
        The study.
    selection_guid
        The passage's GUID: of a source of the same partnership, or of a published source.
    """
    with library.db.session() as session:
        study = library.writable(session, actor, study_id, "editor")
        selection = session.scalar(select(QualSelection).join(QualSource).where(
            QualSelection.guid == (selection_guid or "").strip(),
            or_(QualSource.partnership_id == study.partnership_id,
                QualSource.published.is_(True))).order_by(
            (QualSource.partnership_id != study.partnership_id), QualSelection.id))
        if selection is None:
            raise InputError("passage", "No coded passage with that id in your partnership's "
                             "sources or in a published source")
        held = {c.selection_id for c in session.scalars(select(EvidenceCitation).where(
            EvidenceCitation.study_id == study.id))}
        if selection.id not in held:
            session.add(EvidenceCitation(study_id=study.id, selection_id=selection.id))
        audit(session, actor, study.partnership_id, "cite_passage", f"study:{study.id}",
              selection.guid)


def cited_passages(library: EvidenceLibrary, qual: QualitativeService,
                   actor: Account | None, study_id: int) -> list[dict]:
    """The passages a study cites that ``actor`` may see, each as ``{"source", "selection"}``
    (the source with its provenance and consent basis)."""
    with library.db.session() as session:
        library.readable(session, actor, study_id)
        cited = [(c.selection.source_id, c.selection.guid) for c in session.scalars(
            select(EvidenceCitation).where(EvidenceCitation.study_id == study_id)
            .order_by(EvidenceCitation.id))]
    return qual.passages(actor, cited)
