"""Accounts, partnerships and private workspaces on SQLite and PostgreSQL: roles, invitations,
the sign-in throttle, uploads validated row by row, and that no private item is readable,
changeable, listable or searchable from outside its partnership."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from placelens.db.models import AuditEvent, WorkspaceItem
from placelens.errors import (
    DataFormatError,
    ForbiddenError,
    InputError,
    NotFoundError,
    SignInError,
)
from placelens.services.accounts import MAX_FAILURES, AccountService
from placelens.services.workspaces import WorkspaceService
from placelens.user_tables import MAX_UPLOAD_BYTES, read_indicator_table

PASSWORD = "a long enough passphrase"


@pytest.fixture
def people(database):
    accounts, workspaces = AccountService(database), WorkspaceService(database)
    ann = accounts.sign_up("ann@example.org", "Ann", PASSWORD)
    bob = accounts.sign_up("Bob@Example.org", "Bob", PASSWORD)
    eve = accounts.sign_up("eve@example.org", "Eve", PASSWORD)
    cornwall = workspaces.create_partnership(ann, "Cornwall LPIP")
    leeds = workspaces.create_partnership(eve, "Leeds LPIP")
    return accounts, workspaces, ann, bob, eve, cornwall, leeds


def test_sign_up_and_sign_in(people):
    accounts, *_ = people
    assert accounts.sign_in(" BOB@example.org ", PASSWORD).name == "Bob"
    with pytest.raises(InputError, match="already exists"):
        accounts.sign_up("bob@example.org", "Bob again", PASSWORD)
    with pytest.raises(InputError) as short:
        accounts.sign_up("new@example.org", "New", "short")
    assert short.value.field == "password"
    with pytest.raises(InputError) as bad:
        accounts.sign_up("not an address", "New", PASSWORD)
    assert bad.value.field == "email"


def test_passwords_are_hashed_with_argon2id(people, database):
    from placelens.db.models import User

    with database.session() as session:
        stored = session.scalar(select(User.password_hash).where(User.name == "Ann"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_sign_in_is_throttled_after_repeated_failures(people):
    accounts, *_ = people
    for _ in range(MAX_FAILURES):
        with pytest.raises(SignInError, match="not correct"):
            accounts.sign_in("ann@example.org", "wrong password!")
    with pytest.raises(SignInError, match="Too many"):   # even the right password now
        accounts.sign_in("ann@example.org", PASSWORD)
    # an unknown address fails the same way as a wrong password (no account enumeration)
    with pytest.raises(SignInError, match="not correct"):
        accounts.sign_in("nobody@example.org", PASSWORD)


def test_items_are_private_to_their_partnership(people):
    _, workspaces, ann, bob, eve, cornwall, leeds = people
    note = workspaces.add_item(ann, cornwall.id, "note", "Board minutes", {"text": "secret"})
    for attempt in (lambda: workspaces.item(eve, note.id), lambda: workspaces.item(None, note.id),
                    lambda: workspaces.items(eve, cornwall.id),
                    lambda: workspaces.delete_item(eve, note.id),
                    lambda: workspaces.set_published(eve, note.id, True),
                    lambda: workspaces.add_item(eve, cornwall.id, "note", "x", {}),
                    lambda: workspaces.members(eve, cornwall.id),
                    lambda: workspaces.invite(eve, cornwall.id, "eve@example.org", "admin")):
        with pytest.raises(NotFoundError):
            attempt()
    assert workspaces.visible_items(eve, text="minutes") == []
    assert workspaces.visible_items(None) == []
    assert [i.title for i in workspaces.visible_items(ann)] == ["Board minutes"]
    assert [p.name for p in workspaces.partnerships(eve)] == ["Leeds LPIP"]


def test_roles_invitations_and_publishing(people):
    _, workspaces, ann, bob, eve, cornwall, _ = people
    note = workspaces.add_item(ann, cornwall.id, "note", "Plan", {"text": "draft"})
    token = workspaces.invite(ann, cornwall.id, "bob@example.org", "viewer")
    with pytest.raises(NotFoundError):      # an invitation for Bob is no use to Eve
        workspaces.accept(eve, token)
    assert workspaces.accept(bob, token).role == "viewer"
    with pytest.raises(NotFoundError):      # and is used once
        workspaces.accept(bob, token)
    assert workspaces.item(bob, note.id).title == "Plan"
    with pytest.raises(ForbiddenError):
        workspaces.add_item(bob, cornwall.id, "note", "Mine", {})
    with pytest.raises(ForbiddenError):
        workspaces.set_published(bob, note.id, True)
    published = workspaces.set_published(ann, note.id, True)
    assert published.published and workspaces.item(eve, note.id).title == "Plan"
    assert workspaces.item(None, note.id).title == "Plan"
    assert [m["name"] for m in workspaces.members(bob, cornwall.id)] == ["Ann", "Bob"]


def test_every_write_is_audited_and_failed_writes_change_nothing(people, database):
    _, workspaces, ann, bob, eve, cornwall, _ = people
    note = workspaces.add_item(ann, cornwall.id, "note", "Plan", {"text": "draft"})
    workspaces.set_published(ann, note.id, True)
    with pytest.raises(NotFoundError):
        workspaces.delete_item(eve, note.id)
    actions = [e["action"] for e in workspaces.audit_log(ann, cornwall.id)]
    assert actions == ["publish", "add_item", "create_partnership"]
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(WorkspaceItem)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "delete_item")) == 0
    workspaces.accept(bob, workspaces.invite(ann, cornwall.id, "bob@example.org", "editor"))
    with pytest.raises(ForbiddenError):     # the audit log is for admins
        workspaces.audit_log(bob, cornwall.id)


def test_hub_admin_sees_partnership_names_not_private_items(people):
    accounts, workspaces, ann, _, eve, cornwall, _ = people
    note = workspaces.add_item(ann, cornwall.id, "note", "Private", {"text": "x"})
    hub = accounts.make_hub_admin("eve@example.org")
    assert [p.name for p in workspaces.partnerships(hub)] == ["Cornwall LPIP", "Leeds LPIP"]
    with pytest.raises(NotFoundError):
        workspaces.item(hub, note.id)


def test_migrations_run_twice_without_change(database):
    database.migrate()   # already at head: nothing to do, nothing lost
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(WorkspaceItem)) == 0


KNOWN = {"E06000052", "E08000025"}


def test_uploaded_table_is_read_and_checked():
    data = b"Area_Code,area_name,Period,Value\nE06000052,Cornwall,2023,\"1,234.5\"\n" \
           b"e08000025,Birmingham,2023,7\n"
    table = read_indicator_table("jobs.csv", data, KNOWN)
    assert table.to_dict("list") == {"area_code": ["E06000052", "E08000025"],
                                     "area_name": ["Cornwall", "Birmingham"],
                                     "period": ["2023", "2023"], "value": [1234.5, 7.0]}


@pytest.mark.parametrize("content, row, column, message", [
    (b"area_code,period\nE06000052,2023\n", 1, None, "no 'value' column"),
    (b"area_code,period,value\nE06000052,2023,1\nX99,2023,2\n", 3, "area_code", "X99"),
    (b"area_code,period,value\nE06000052,2023,lots\n", 2, "value", "'lots' is not a number"),
    (b"area_code,period,value\nE06000052,2023,inf\n", 2, "value", "finite"),
    (b"area_code,period,value\nE06000052,,1\n", 2, "period", "period"),
    (b"area_code,period,value\nE06000052,2023,1\nE06000052,2023,2\n", 3, "period", "earlier"),
    (b"area_code,period,value\nE06000052,2023,1\nE0800002", 3, "area_code", "E0800002"),
])
def test_uploaded_table_errors_name_row_and_column(content, row, column, message):
    with pytest.raises(DataFormatError, match=message) as error:
        read_indicator_table("mine.csv", content, KNOWN)
    assert (error.value.file, error.value.row, error.value.column) == ("mine.csv", row, column)


def test_uploads_are_limited_in_size_and_type():
    with pytest.raises(DataFormatError, match="limit"):
        read_indicator_table("big.csv", b"x" * (MAX_UPLOAD_BYTES + 1), KNOWN)
    with pytest.raises(DataFormatError, match=".csv or .xlsx"):
        read_indicator_table("table.ods", b"area_code", KNOWN)
    with pytest.raises(DataFormatError, match="cannot be read"):
        read_indicator_table("broken.xlsx", b"not a zip file", KNOWN)


def test_migration_matches_the_models(database):
    """The hand-written migration creates exactly the tables, columns and nullability the
    models declare (Alembic's comparison finds nothing to change)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from placelens.db import qual_models  # noqa: F401
    from placelens.db.models import Base

    def modelled(obj, name, kind, reflected, compare_to) -> bool:
        # SQLite's full-text index (a virtual table and its shadow tables) is made by the
        # migration alone: the models need not know it
        return not (kind == "table" and name.startswith("qual_sources_fts"))

    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": modelled})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_journey_assessments_are_versioned_private_items(people, tmp_path):
    from datetime import date

    from placelens.analysis import journey
    from placelens.assessments import save_assessment
    from placelens.geography.places import Place
    from placelens.services.journeys import JourneyService

    _, workspaces, ann, _, eve, cornwall, leeds = people
    place = Place("E06000052", "Cornwall", "LAD", "LAD 2023", ("E06000052",))
    service = JourneyService(workspaces, lambda _: {})
    form = service.questionnaire
    answers = {q.id: 4 for q in form.questions}
    first = service.record(ann, cornwall.id, place, date(2026, 11, 30), answers)
    second = service.record(ann, cornwall.id, place, date(2026, 11, 30), answers)
    assert (first.content["version"], second.content["version"]) == (1, 2)
    assert first.content["result"] == journey.score(form, answers, {}).as_dict()
    assert not first.published
    with pytest.raises(NotFoundError):
        service.history(eve, cornwall.id)
    with pytest.raises(InputError):
        service.record(ann, cornwall.id, place, date(2999, 1, 1), answers)
    with pytest.raises(DataFormatError):
        service.record(ann, cornwall.id, place, date(2026, 11, 29), {"A.1": 9})
    # files written by `placelens journey assess` come in once, however often imported
    save_assessment(place, date(2026, 10, 1), answers, form, {}, tmp_path)
    save_assessment(place, date(2026, 10, 1), answers, form, {}, tmp_path)
    assert service.import_folder(ann, cornwall.id, tmp_path) == 2
    assert service.import_folder(ann, cornwall.id, tmp_path) == 0
    dates = [(r["date"], r["version"]) for r in service.history(ann, cornwall.id, "E06000052")]
    assert dates == [("2026-10-01", 1), ("2026-10-01", 2), ("2026-11-30", 1),
                     ("2026-11-30", 2)]


def test_concurrent_assessments_get_distinct_versions(people):
    """Six editors saving the same place and day at once get versions 1–6 (the versioned
    insert takes the partnership's write lock before reading the existing versions)."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import date

    from placelens.geography.places import Place
    from placelens.services.journeys import JourneyService

    _, workspaces, ann, _, _, cornwall, _ = people
    place = Place("E06000052", "Cornwall", "LAD", "LAD 2023", ("E06000052",))
    service = JourneyService(workspaces, lambda _: {})
    answers = {q.id: 3 for q in service.questionnaire.questions[:5]}
    with ThreadPoolExecutor(6) as pool:
        saved = list(pool.map(lambda _: service.record(ann, cornwall.id, place,
                                                       date(2026, 11, 30), answers), range(6)))
    assert sorted(item.content["version"] for item in saved) == [1, 2, 3, 4, 5, 6]


def test_simultaneous_sign_ups_with_one_address_give_one_account(database):
    """Two requests that both find the address free: the second is refused by the unique
    constraint and reported on the email field, not as a server error."""
    from concurrent.futures import ThreadPoolExecutor

    accounts = AccountService(database)

    def attempt(_):
        try:
            return accounts.sign_up("same@example.org", "Same", PASSWORD)
        except InputError as error:
            return error

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(attempt, range(4)))
    created = [r for r in results if not isinstance(r, InputError)]
    assert len(created) == 1
    assert all(r.field == "email" for r in results if isinstance(r, InputError))
