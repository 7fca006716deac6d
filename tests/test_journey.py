"""Journey self-assessment: the questionnaire file, scoring on constructed answer sets,
risks, stored assessments and the commands."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest
from typer.testing import CliRunner

from placelens.analysis import journey
from placelens.assessments import (
    history_table,
    load_assessments,
    read_answers_file,
    save_assessment,
)
from placelens.errors import DataFormatError, PlacelensError
from placelens.geography.places import Place

FORM = journey.load_questionnaire()
PLACE = Place("E06000001", "Hartlepool", "LAD", "2023", ("E06000001",))


def _answers(by_part: dict[str, int]) -> dict[str, int]:
    """The same answer to every question of each part named."""
    return {q.id: by_part[q.part] for q in FORM.questions if q.part in by_part}


def test_questionnaire_covers_five_stages_and_five_moments():
    assert FORM.stage_codes == ["A", "B", "C", "D", "E"]
    assert FORM.version == "1.0"
    parts = {q.part for q in FORM.questions}
    assert parts == {"A", "B", "C", "D", "E", "M1", "M2", "M3", "M4", "M5"}
    assert FORM.part_name("M4") == "Sustaining momentum"


def test_all_agree_is_renewal_and_all_disagree_is_the_start():
    top = journey.score(FORM, _answers(dict.fromkeys(FORM.stage_codes, 5)))
    assert (top.stage, top.confidence, top.fit) == ("E", "high", 1.0)
    assert top.next_moment is None
    bottom = journey.score(FORM, _answers(dict.fromkeys(FORM.stage_codes, 1)))
    assert (bottom.stage, bottom.confidence, bottom.fit) == ("A", "high", 1.0)
    assert bottom.next_moment["code"] == "M2"


def test_piloting_partnership_is_in_stage_c():
    # A and B achieved (5 -> 1.0), C under way (3 -> 0.5), D and E not (1 -> 0).
    result = journey.score(FORM, _answers({"A": 5, "B": 5, "C": 3, "D": 1, "E": 1}))
    assert result.stage == "C" and result.fit == 1.0
    # Runners-up B (gaps A 0, C 0.5, D 0, E 0) and D (A 0, B 0, C 0.5, E 0) both fit 0.875;
    # ties go to the earlier stage. Margin 0.125 >= 0.1 -> high confidence.
    assert result.runner_up == "B"
    assert result.confidence == "high"
    assert result.scores["C"] == 0.5


def test_inconsistent_answers_give_low_confidence():
    # Later stages achieved while earlier ones are not: no point on the journey fits.
    result = journey.score(FORM, _answers({"A": 1, "B": 1, "C": 5, "D": 5, "E": 5}))
    # Stage C: gaps A 1, B 1, D 1, E 1 -> fit 0; stage A: B 0, C 1, D 1, E 1 -> 0.25;
    # stage E: A 1, B 1, C 0, D 0 -> 0.5 (the best, but low).
    assert result.stage == "E" and result.fit == pytest.approx(0.5)
    assert result.confidence == "low"


def test_unanswered_stages_are_left_out_of_the_fit():
    result = journey.score(FORM, _answers({"A": 5, "B": 5}))
    assert math.isnan(result.scores["D"])
    # B and C both fit perfectly (only A and B are answered): the earlier stage is kept and,
    # with no margin over the runner-up, confidence is only medium.
    assert (result.stage, result.runner_up, result.fit) == ("B", "C", 1.0)
    assert result.confidence == "medium"


def _risk(result, risk_id):
    return next(r["status"] for r in result.risks if r["id"] == risk_id)


def test_risks_flagged_not_flagged_and_not_assessed():
    piloting = journey.score(FORM, _answers({"A": 5, "B": 5, "C": 5, "D": 1, "E": 1}))
    assert _risk(piloting, "perpetual_piloting") == "flagged"
    mainstream = journey.score(FORM, _answers({"A": 5, "B": 5, "C": 5, "D": 5, "E": 1}))
    assert _risk(mainstream, "perpetual_piloting") == "not flagged"
    closed = _answers({"A": 5, "B": 5, "C": 5, "D": 5, "M5": 1})
    assert _risk(journey.score(FORM, closed), "closed_leadership") == "not assessed"
    assert _risk(journey.score(FORM, closed, {"new_actor_share": 0.2}),
                 "closed_leadership") == "flagged"
    assert _risk(journey.score(FORM, closed, {"new_actor_share": 0.6}),
                 "closed_leadership") == "not flagged"


def test_bad_answers_name_the_question():
    with pytest.raises(DataFormatError, match="'A.1'.*not on the scale"):
        journey.check_answers(FORM, {"A.1": 7})
    with pytest.raises(DataFormatError, match="unknown question 'Z.9'"):
        journey.check_answers(FORM, {"Z.9": 3})


def test_answers_files(tmp_path):
    yaml_file = tmp_path / "answers.yaml"
    yaml_file.write_text("answers:\n  A.1: 4\n  B.2: 5\n")
    assert read_answers_file(yaml_file, FORM) == {"A.1": 4, "B.2": 5}
    csv_file = tmp_path / "answers.csv"
    csv_file.write_text("question,answer\nA.1,4\nA.2,\nB.1,lots\n")
    with pytest.raises(DataFormatError, match="answers.csv, row 4, column 'answer'"):
        read_answers_file(csv_file, FORM)


def test_assessments_are_stored_per_place_and_date(tmp_path):
    early = _answers({"A": 5, "B": 2, "C": 1, "D": 1, "E": 1})
    later = _answers({"A": 5, "B": 5, "C": 4, "D": 1, "E": 1})
    save_assessment(PLACE, date(2025, 3, 1), early, FORM, {}, tmp_path)
    path, _ = save_assessment(PLACE, date(2026, 3, 1), later, FORM,
                              {"new_actor_share": 0.4}, tmp_path)
    assert path == tmp_path / "E06000001" / "2026-03-01.json"
    stored = json.loads(path.read_text())
    assert stored["questionnaire_version"] == "1.0" and stored["signals"]["new_actor_share"]
    history = history_table(load_assessments("E06000001", tmp_path))
    assert history["date"].tolist() == ["2025-03-01", "2026-03-01"]
    assert history["stage"].tolist() == ["B", "C"]


def test_a_second_assessment_on_the_same_day_is_a_new_version(tmp_path):
    first = _answers({"A": 4, "B": 4})
    save_assessment(PLACE, date(2026, 3, 1), first, FORM, {}, tmp_path)
    before = (tmp_path / "E06000001" / "2026-03-01.json").read_bytes()
    path, _ = save_assessment(PLACE, date(2026, 3, 1), _answers({"A": 1}), FORM, {}, tmp_path)
    assert path.name == "2026-03-01.v2.json"
    assert (tmp_path / "E06000001" / "2026-03-01.json").read_bytes() == before
    history = history_table(load_assessments("E06000001", tmp_path))
    assert history["version"].tolist() == [1, 2] and history["stage"].tolist()[0] == "B"


def test_empty_future_or_yes_answers_are_refused_and_nothing_is_replaced(tmp_path):
    save_assessment(PLACE, date(2026, 3, 1), _answers({"A": 4, "B": 4}), FORM, {}, tmp_path)
    stored = sorted((tmp_path / "E06000001").iterdir())
    empty = tmp_path / "empty.yaml"
    empty.write_text("answers: {}\n")
    with pytest.raises(DataFormatError, match="has no answers"):
        read_answers_file(empty, FORM)
    with pytest.raises(PlacelensError, match="needs at least one answer"):
        save_assessment(PLACE, date(2026, 3, 1), {}, FORM, {}, tmp_path)
    with pytest.raises(PlacelensError, match="2999-12-31 is in the future"):
        save_assessment(PLACE, date(2999, 12, 31), _answers({"A": 4}), FORM, {}, tmp_path)
    yes = tmp_path / "yes.yaml"
    yes.write_text("A.1: yes\n")                 # YAML 1.1 reads it as True, not 1
    with pytest.raises(DataFormatError, match="answer True is not on the scale"):
        read_answers_file(yes, FORM)
    assert sorted((tmp_path / "E06000001").iterdir()) == stored


def test_yaml_alias_bombs_and_huge_files_are_refused_before_they_expand(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
        for i in range(8)]
    bomb.write_text("\n".join(lines) + "\n")
    assert len(bomb.read_bytes()) < 400
    with pytest.raises(DataFormatError, match="bomb.yaml, row 1: .*anchors .* are not "
                       "allowed") as info:       # refused at the first anchor, not expanded
        read_answers_file(bomb, FORM)
    assert len(str(info.value)) < 400
    huge = tmp_path / "huge.yaml"
    huge.write_text("A.1: 4\n" + "# padding\n" * 200_000)
    with pytest.raises(DataFormatError, match="bytes; files of this kind are at most"):
        read_answers_file(huge, FORM)


def test_journey_commands(tmp_path, warehouse_path):
    from placelens.cli import app

    runner = CliRunner()
    answers = tmp_path / "answers.yaml"
    answers.write_text("\n".join(f"{q}: {a}" for q, a in _answers(
        {"A": 5, "B": 5, "C": 5, "D": 1, "E": 1}).items()))
    env = {"PLACELENS_WAREHOUSE": str(warehouse_path),
           "PLACELENS_ASSESSMENTS": str(tmp_path / "store")}
    result = runner.invoke(app, ["journey", "assess", "Hartlepool", "--answers", str(answers),
                                 "--date", "2026-01-15"], env=env)
    assert result.exit_code == 0, result.output
    # A-C achieved, D and E not: stages C and D both fit perfectly; the earlier is kept.
    assert "stage C — Piloting novel activities" in result.output
    assert "Perpetual piloting" in result.output
    # Interactive: every question answered 4 except one skipped.
    typed = "\n".join(["4"] * (len(FORM.questions) - 1) + [""]) + "\n"
    result = runner.invoke(app, ["journey", "assess", "Hartlepool", "--date", "2026-06-01"],
                           input=typed, env=env)
    assert result.exit_code == 0, result.output
    stored = load_assessments("E06000001", tmp_path / "store")
    assert len(stored) == 2 and len(stored[1]["answers"]) == len(FORM.questions) - 1
    result = runner.invoke(app, ["journey", "history", "Hartlepool"], env=env)
    assert result.exit_code == 0 and "2026-06-01" in result.output
    result = runner.invoke(app, ["journey", "history", "Cornwall"], env=env)
    assert result.exit_code == 2 and "No assessments stored" in result.output


def test_next_moment_carries_its_score():
    # In stage C the moment ahead is M4 (sustaining momentum); answers 4 -> 0.75.
    answers = _answers({"A": 5, "B": 5, "C": 3, "D": 1, "E": 1, "M4": 4})
    result = journey.score(FORM, answers)
    assert result.next_moment["code"] == "M4"
    assert result.next_moment["score"] == pytest.approx(0.75)
