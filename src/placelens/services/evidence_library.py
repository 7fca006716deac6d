"""The evidence library in the application database (docs/evidence.md): the hub's shared
studies (the datapack's seed) and each partnership's own — imported, entered or filed from a
placelens evaluation — private to the partnership until an admin publishes them.

Every read goes through :meth:`EvidenceLibrary.visible` (published studies and the caller's
own partnerships'), so listings, the gap map, search, the API and exports cannot show more.
Writes are authorised with :mod:`placelens.services.access` and recorded in the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from placelens.db.database import Database
from placelens.db.models import EvidenceFinding, EvidenceStudy
from placelens.errors import InputError, NotFoundError, check_choice
from placelens.evidence_terms import (
    DIRECTIONS,
    GRADE_SOURCES,
    INTERVENTION_TYPES,
    OUTCOME_DOMAINS,
    grade_label,
)
from placelens.services.access import audit, own_partnerships, require_role, role_in
from placelens.services.accounts import Account
from placelens.study_records import FindingInput, StudyInput


@dataclass(frozen=True)
class FindingView:
    """A finding as shown, with what the gap map groups and rates it by."""

    outcome_domain: str
    direction: str
    summary: str
    effect: str
    effect_unit: str
    interval: str
    subgroup: str
    intervention_type: str
    sms: int | None
    period_start: int | None
    period_end: int | None
    country: str
    places: tuple[str, ...] = ()


@dataclass(frozen=True)
class StudyView:
    """A study as a caller may see it. ``partnership`` is "" for the hub's shared library."""

    id: int
    partnership_id: int | None
    partnership: str
    reference: str
    intervention: str
    intervention_type: str
    country: str
    places: tuple[str, ...]
    place_label: str
    period_start: int | None
    period_end: int | None
    population: str
    citation: str
    link: str
    design: str
    comparison: str
    sms: int | None
    grade_source: str
    grade_detail: str
    graded_by: str
    context_notes: str
    published: bool
    has_report: bool
    evaluation: dict | None
    findings: tuple[FindingView, ...]

    @property
    def grade_label(self) -> str:
        return grade_label(self.sms, self.grade_source, self.graded_by)

    @property
    def stip_type(self) -> str:
        """The STIP Compass instrument type of the intervention type, or why there is none."""
        return INTERVENTION_TYPES.get(self.intervention_type) or \
            "none: a place-based programme, not an STI instrument"

    @property
    def period(self) -> str:
        if self.period_start is None:
            return "" if self.period_end is None else str(self.period_end)
        if self.period_end in (None, self.period_start):
            return str(self.period_start)
        return f"{self.period_start}–{self.period_end}"

    def to_dict(self) -> dict:
        body = asdict(self)
        body.update(grade=self.grade_label, stip_type=self.stip_type, period=self.period)
        return body


class EvidenceLibrary:
    """Studies of what worked, and who may see, add, grade and publish them."""

    def __init__(self, db: Database):
        self.db = db

    # ---- reading ----------------------------------------------------------------------
    def studies(self, actor: Account | None, intervention_type: str = "", outcome: str = "",
                country: str = "", text: str = "") -> list[StudyView]:
        """The studies ``actor`` may see, optionally filtered; shared library first."""
        with self.db.session() as session:
            query = self.visible(session, actor)
            if intervention_type:
                query = query.where(EvidenceStudy.intervention_type == check_choice(
                    "type", intervention_type, tuple(INTERVENTION_TYPES)))
            if outcome:
                check_choice("outcome", outcome, OUTCOME_DOMAINS)
                query = query.where(EvidenceStudy.findings.any(
                    EvidenceFinding.outcome_domain == outcome))
            if country:
                query = query.where(EvidenceStudy.country == country.upper())
            if text:
                needle = text.lower()
                query = query.where(or_(
                    func.lower(EvidenceStudy.intervention).contains(needle, autoescape=True),
                    func.lower(EvidenceStudy.citation).contains(needle, autoescape=True)))
            return [_view(study) for study in session.scalars(query.order_by(
                EvidenceStudy.partnership_id.is_not(None), EvidenceStudy.reference))]

    def of_partnership(self, actor: Account, partnership_id: int) -> list[StudyView]:
        """A partnership's own studies, private and published (its members only)."""
        with self.db.session() as session:
            require_role(session, actor, partnership_id, "viewer")
            query = self.visible(session, actor).where(
                EvidenceStudy.partnership_id == partnership_id)
            return [_view(s) for s in session.scalars(query.order_by(EvidenceStudy.id.desc()))]

    @staticmethod
    def visible(session: Session, actor: Account | None) -> Select:
        """The one query behind every read: published studies and the caller's own."""
        return select(EvidenceStudy).options(
            selectinload(EvidenceStudy.findings), selectinload(EvidenceStudy.partnership)
        ).where(or_(EvidenceStudy.published.is_(True),
                    EvidenceStudy.partnership_id.in_(own_partnerships(session, actor))))

    def study(self, actor: Account | None, study_id: int) -> StudyView:
        """One study: published ones for anyone, private ones for members only."""
        with self.db.session() as session:
            return _view(self.readable(session, actor, study_id))

    def report(self, actor: Account | None, study_id: int) -> str:
        """The HTML report placelens attached to a study it made itself."""
        with self.db.session() as session:
            study = self.readable(session, actor, study_id)
            if not study.report_html:
                raise NotFoundError(f"Study {study_id} has no placelens report")
            return study.report_html

    def findings(self, actor: Account | None) -> list[FindingView]:
        """Every finding of every study ``actor`` may see (the gap map's input)."""
        return [f for study in self.studies(actor) for f in study.findings]

    # ---- writing ----------------------------------------------------------------------
    def import_seed(self, studies: Sequence[StudyInput]) -> int:
        """Put the datapack's seed into the hub's shared library, published (run by the
        command line, not a user); a study already there (same reference) is left as it is.
        Returns how many were added: 0 when a concurrent import stored them first (the
        shared library's unique reference index refuses the second, which is rolled back)."""
        try:
            with self.db.session() as session:
                have = self._shared_references(session)
                added = [s for s in studies if s.reference not in have]
                for study in added:
                    session.add(_row(study, None, None, published=True))
                session.flush()
                audit(session, None, None, "import_seed", "evidence", f"{len(added)} studies")
                return len(added)
        except IntegrityError:
            return 0

    @staticmethod
    def _shared_references(session: Session) -> set[str]:
        return set(session.scalars(select(EvidenceStudy.reference).where(
            EvidenceStudy.partnership_id.is_(None))))

    def add_studies(self, actor: Account, partnership_id: int, studies: Sequence[StudyInput],
                    action: str = "add_studies") -> list[StudyView]:
        """Store studies privately in a partnership (editors and admins); all or none."""
        for number, study in enumerate(studies, start=1):
            check_study(study, number)
        with self.db.session() as session:
            require_role(session, actor, partnership_id, "editor")
            rows = [_row(study, partnership_id, actor, published=False) for study in studies]
            session.add_all(rows)
            session.flush()
            audit(session, actor, partnership_id, action, "evidence",
                  ", ".join(str(row.id) for row in rows))
            return [_view(row) for row in rows]

    def file_evaluation(self, actor: Account, partnership_id: int, study: StudyInput,
                        record: dict, report_html: str | None) -> StudyView:
        """File one of placelens's own evaluations as a private study, keeping its record
        (``*.evidence.json``) and its HTML report."""
        [view] = self.add_studies(actor, partnership_id, [study], "file_evaluation")
        with self.db.session() as session:
            row = session.get(EvidenceStudy, view.id)
            assert row is not None
            row.evaluation, row.report_html = record, report_html
        return self.study(actor, view.id)

    def grade(self, actor: Account, study_id: int, sms: int | None, rationale: str
              ) -> StudyView:
        """Grade (or ungrade) a partnership's study on the Maryland Scientific Methods Scale;
        the grade is credited to ``actor`` and needs a rationale (editors and admins)."""
        if sms is not None and sms not in range(1, 6):
            raise InputError("sms", "The SMS level is a whole number from 1 to 5")
        if sms is not None and not (rationale or "").strip():
            raise InputError("rationale", "Say why the study has this level")
        with self.db.session() as session:
            study = self.writable(session, actor, study_id, "editor")
            study.sms = sms
            study.grade_source = "partnership grader" if sms is not None else "not graded"
            study.grade_detail = (rationale or "").strip()[:2000]
            study.graded_by = actor.name if sms is not None else ""
            audit(session, actor, study.partnership_id, "grade_study", f"study:{study.id}",
                  str(sms))
            return _view(study)

    def add_finding(self, actor: Account, study_id: int, finding: FindingInput) -> StudyView:
        """Add a finding to a partnership's study (editors and admins)."""
        check_finding(finding)
        with self.db.session() as session:
            study = self.writable(session, actor, study_id, "editor")
            study.findings.append(_finding_row(finding))
            audit(session, actor, study.partnership_id, "add_finding", f"study:{study.id}",
                  finding.outcome_domain)
            session.flush()
            return _view(study)

    def set_published(self, actor: Account, study_id: int, published: bool) -> StudyView:
        """Publish a partnership's study to everyone, or take it back (admins only)."""
        with self.db.session() as session:
            study = self.writable(session, actor, study_id, "admin")
            study.published = published
            audit(session, actor, study.partnership_id,
                  "publish" if published else "unpublish", f"study:{study.id}")
            return _view(study)

    def delete(self, actor: Account, study_id: int) -> None:
        with self.db.session() as session:
            study = self.writable(session, actor, study_id, "editor")
            audit(session, actor, study.partnership_id, "delete_study", f"study:{study.id}",
                  study.reference)
            session.delete(study)

    # ---- authorisation ------------------------------------------------------------------
    def readable(self, session: Session, actor: Account | None, study_id: int
                 ) -> EvidenceStudy:
        """A study ``actor`` may see, in ``session`` (for services that build on studies,
        such as case citations)."""
        study = session.scalar(self.visible(session, actor).where(
            EvidenceStudy.id == study_id))
        if study is None:
            raise NotFoundError(f"No study {study_id} that you can see")
        return study

    @staticmethod
    def writable(session: Session, actor: Account, study_id: int, role: str
                 ) -> EvidenceStudy:
        """A partnership's study ``actor`` may change; the shared library is read-only."""
        study = session.get(EvidenceStudy, study_id)
        if study is None or study.partnership_id is None or role_in(
                session, actor, study.partnership_id) is None:
            raise NotFoundError(f"No study {study_id} of a partnership you belong to")
        require_role(session, actor, study.partnership_id, role)
        return study


def check_study(study: StudyInput, number: int = 1) -> None:
    """Refuse a study whose type, grade or findings are outside the vocabularies, naming the
    study (its position in the upload) and the field."""
    where = f"Study {number} ({study.reference})"
    if not study.intervention.strip() or not study.citation.strip():
        raise InputError("intervention", f"{where}: give the intervention and the citation")
    if study.intervention_type not in INTERVENTION_TYPES:
        raise InputError("intervention_type", f"{where}: the intervention type must be one of "
                         f"{', '.join(INTERVENTION_TYPES)}")
    if study.grade_source not in GRADE_SOURCES or (study.sms is None) != (
            study.grade_source == "not graded"):
        raise InputError("sms", f"{where}: a grade needs its source, and only an ungraded "
                         "study is 'not graded'")
    for finding in study.findings:
        check_finding(finding)


def check_finding(finding: FindingInput) -> None:
    """Refuse a finding whose outcome domain or direction is outside the vocabularies."""
    for field, value, allowed in (("outcome_domain", finding.outcome_domain, OUTCOME_DOMAINS),
                                  ("direction", finding.direction, DIRECTIONS)):
        if value not in allowed:
            raise InputError(field, f"{value!r} is not one of {', '.join(allowed)}")


def _row(study: StudyInput, partnership_id: int | None, actor: Account | None,
         published: bool) -> EvidenceStudy:
    body = {k: v for k, v in asdict(study).items() if k != "findings"}
    body["places"] = list(study.places)
    return EvidenceStudy(**body, partnership_id=partnership_id, published=published,
                         created_by=None if actor is None else actor.id,
                         findings=[_finding_row(f) for f in study.findings])


def _finding_row(finding: FindingInput) -> EvidenceFinding:
    return EvidenceFinding(**asdict(finding))


def _view(study: EvidenceStudy) -> StudyView:
    findings = tuple(FindingView(
        f.outcome_domain, f.direction, f.summary, f.effect, f.effect_unit, f.interval,
        f.subgroup, study.intervention_type, study.sms, study.period_start, study.period_end,
        study.country, tuple(study.places)) for f in study.findings)
    return StudyView(
        study.id, study.partnership_id,
        study.partnership.name if study.partnership else "", study.reference,
        study.intervention, study.intervention_type, study.country, tuple(study.places),
        study.place_label, study.period_start, study.period_end, study.population,
        study.citation, study.link, study.design, study.comparison, study.sms,
        study.grade_source, study.grade_detail, study.graded_by, study.context_notes,
        study.published, bool(study.report_html), study.evaluation, findings)
