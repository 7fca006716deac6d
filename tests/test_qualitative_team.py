"""Team work on sources (#17): blind double coding — while coders are assigned and not all
finished, each sees only their own codings, as does everyone else, and agreement leaves the
source out; afterwards all is shown and agreement is computed — and memos, which members read
and outsiders never do. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from placelens.errors import ForbiddenError, InputError, NotFoundError
from placelens.services.accounts import AccountService
from placelens.services.coder_agreement import agreement, disagreements
from placelens.services.qualitative import QualitativeService
from placelens.services.qualitative_team import (
    add_memo,
    assign_blind,
    coding_status,
    finish_coding,
    memos,
)
from placelens.services.workspaces import WorkspaceService

PASSWORD = "a long enough passphrase"
TEXT = "One.\n\nTwo.\n\nThree.\n\nFour."


@pytest.fixture
def team(database):
    accounts, workspaces = AccountService(database), WorkspaceService(database)
    people = {name: accounts.sign_up(f"{name.lower()}@example.org", name, PASSWORD)
              for name in ("Ann", "Bob", "Cat", "Vic", "Eve")}
    tees = workspaces.create_partnership(people["Ann"], "Tees LPIP")
    workspaces.create_partnership(people["Eve"], "Leeds LPIP")
    for name, role in (("Bob", "editor"), ("Cat", "editor"), ("Vic", "viewer")):
        workspaces.accept(people[name], workspaces.invite(
            people["Ann"], tees.id, f"{name.lower()}@example.org", role))
    qual = QualitativeService(database)
    source = qual.add_source(people["Ann"], tees.id, "Workshop", "workshop notes", TEXT, {})
    code = qual.add_code(people["Ann"], tees.id, "Perpetual piloting")
    return qual, people, tees, source, code


def _span(word: str) -> tuple[int, int]:
    return TEXT.index(word), TEXT.index(word) + len(word)


def _seen(qual, who, source_id) -> list[tuple[str, tuple]]:
    return [(s.quote, s.codes) for s in qual.source(who, source_id).selections]


def test_blind_double_coding_hides_the_other_coder_until_both_finish(team):
    qual, people, tees, source, code = team
    ann, bob, cat, vic = (people[n] for n in ("Ann", "Bob", "Cat", "Vic"))
    assert assign_blind(qual.db, ann, source.id, ["bob@example.org", "cat@example.org"]) == 2
    qual.code(bob, source.id, *_span("One"), code)
    qual.code(bob, source.id, *_span("Two"), code)
    qual.code(cat, source.id, *_span("One"), code)     # the same selection as Bob's
    qual.code(cat, source.id, *_span("Three"), code)
    assert _seen(qual, bob, source.id) == [("One", (("Perpetual piloting", "Bob"),)),
                                           ("Two", (("Perpetual piloting", "Bob"),))]
    assert _seen(qual, cat, source.id) == [("One", (("Perpetual piloting", "Cat"),)),
                                           ("Three", (("Perpetual piloting", "Cat"),))]
    assert _seen(qual, ann, source.id) == [] and qual.source(vic, source.id).blind
    assert agreement(qual.db, ann, tees.id).table.loc[0, "units"] == 0
    assert disagreements(qual.db, bob, tees.id, "Perpetual piloting") == []
    assert qual.passages_about(bob, tees.id, ["piloting"])["piloting"][0]["selection"] \
        .codes == (("Perpetual piloting", "Bob"),)
    finish_coding(qual.db, bob, source.id)
    assert [(s.name, s.done) for s in coding_status(qual.db, vic, source.id)] == [
        ("Bob", True), ("Cat", False)]
    assert _seen(qual, bob, source.id)[0] == ("One", (("Perpetual piloting", "Bob"),))
    finish_coding(qual.db, cat, source.id)
    assert not qual.source(vic, source.id).blind
    assert _seen(qual, vic, source.id)[0] == (
        "One", (("Perpetual piloting", "Bob"), ("Perpetual piloting", "Cat")))
    # units: Bob 1 1 0 0, Cat 1 0 1 0 → kappa 0 and alpha 0.125 (worked in test_qualitative)
    row = agreement(qual.db, ann, tees.id).table.set_index("code").loc["Perpetual piloting"]
    assert (row["units"], row["kappa"], row["alpha"]) == (4, pytest.approx(0.0),
                                                          pytest.approx(0.125))


def test_only_admins_assign_and_only_to_members_who_may_code(team):
    qual, people, tees, source, _ = team
    with pytest.raises(InputError, match="at least two coders"):
        assign_blind(qual.db, people["Ann"], source.id, ["bob@example.org"])
    with pytest.raises(InputError, match="vic@example.org, zed@example.org: not an editor"):
        assign_blind(qual.db, people["Ann"], source.id,
                     ["bob@example.org", "vic@example.org", "zed@example.org"])
    with pytest.raises(ForbiddenError):
        assign_blind(qual.db, people["Bob"], source.id, ["bob@example.org",
                                                        "cat@example.org"])
    with pytest.raises(NotFoundError):
        assign_blind(qual.db, people["Eve"], source.id, ["bob@example.org",
                                                        "cat@example.org"])
    with pytest.raises(InputError, match="not assigned"):
        finish_coding(qual.db, people["Bob"], source.id)


def test_memos_are_read_by_members_only(team):
    qual, people, tees, source, code = team
    guid = qual.code(people["Bob"], source.id, *_span("Two"), code)
    add_memo(qual.db, people["Bob"], source.id, "A second pilot: why not scale?")
    add_memo(qual.db, people["Ann"], source.id, "Same wording as March.", guid)
    seen = memos(qual.db, people["Vic"], source.id)
    assert [(m.text, m.about) for m in seen] == [
        ("A second pilot: why not scale?", "the source"), ("Same wording as March.", "“Two”")]
    with pytest.raises(InputError, match="Choose a coded passage"):
        add_memo(qual.db, people["Bob"], source.id, "x", "not-a-guid")
    with pytest.raises(ForbiddenError):
        add_memo(qual.db, people["Vic"], source.id, "viewers do not write")
    with pytest.raises(NotFoundError):
        memos(qual.db, people["Eve"], source.id)
