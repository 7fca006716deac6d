"""Where a partnership stands on its regional innovation journey (stages A–E, with a critical
moment before each), from its answers to a versioned questionnaire kept as data
(``placelens/data/journey_questionnaire.yaml``).

Scoring. Answers on the 1–5 agreement scale are rescaled to 0–1 and averaged per stage and per
critical moment. The journey is cumulative, so being *in* stage s means the stages before s
are achieved (score 1 expected) and those after it are not (score 0 expected); stage s
itself may be under way. Each candidate stage gets a fit

    fit(s) = 1 - mean over stages k ≠ s with answers of |score_k - expected_k(s)|

and the partnership is placed in the best-fitting stage. Confidence is high when the fit is at
least 0.8 and beats the runner-up by at least 0.1, medium when the fit is at least 0.65, low
otherwise (the answers do not describe a single point on the journey). Risks are rules in the
questionnaire file over scores, single answers and network signals.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from placelens.errors import DataFormatError

OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
             "==": operator.eq}


@dataclass(frozen=True)
class Question:
    id: str
    part: str  # stage code (A–E) or critical moment code (M1–M5)
    text: str


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    title: str
    scale: dict[int, str]
    pass_mark: float
    stages: list[dict]
    questions: list[Question]
    risks: list[dict]

    @property
    def stage_codes(self) -> list[str]:
        return [stage["code"] for stage in self.stages]

    def part_name(self, code: str) -> str:
        for stage in self.stages:
            if stage["code"] == code:
                return stage["name"]
            if stage["moment"]["code"] == code:
                return stage["moment"]["name"]
        raise KeyError(code)

    def moment_before(self, stage: str) -> dict:
        return next(s["moment"] for s in self.stages if s["code"] == stage)


def load_questionnaire(path: Path | None = None) -> Questionnaire:
    """The questionnaire in ``path`` (default: the one shipped with placelens), checked.

    Parameters
    ----------
    path
        A questionnaire YAML file; default the packaged one.

    Returns
    -------
    Questionnaire
        Stages, critical moments, questions and risk rules, checked.
    """
    if path is None:
        text = resources.files("placelens.data").joinpath("journey_questionnaire.yaml") \
            .read_text(encoding="utf-8")
        where = "placelens/data/journey_questionnaire.yaml"
    else:
        text, where = Path(path).read_text(encoding="utf-8"), str(path)
    return questionnaire_from(yaml.safe_load(text), where)


def questionnaire_from(raw: object, where: str) -> Questionnaire:
    """A checked questionnaire from its parsed YAML.

    Parameters
    ----------
    raw
        The parsed YAML document.
    where
        Where it came from, for error messages.

    Returns
    -------
    Questionnaire
        Stages, critical moments, questions and risk rules, checked.
    """
    if not isinstance(raw, dict):
        raise DataFormatError(where, "expected a mapping with id, version, stages and "
                              "questions")
    for key in ("id", "version", "title", "scale", "pass_mark", "stages", "questions"):
        if key not in raw:
            raise DataFormatError(where, f"missing top-level key {key!r}")
    stages = raw["stages"]
    parts = {s["code"] for s in stages} | {s["moment"]["code"] for s in stages}
    questions = []
    for number, item in enumerate(raw["questions"], start=1):
        if item.get("part") not in parts:
            raise DataFormatError(where, f"question {number} ({item.get('id')!r}) has part "
                                  f"{item.get('part')!r}; expected one of {sorted(parts)}")
        questions.append(Question(str(item["id"]), item["part"], item["text"]))
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise DataFormatError(where, "question ids must be unique")
    return Questionnaire(raw["id"], str(raw["version"]), raw["title"],
                         {int(k): v for k, v in raw["scale"].items()}, float(raw["pass_mark"]),
                         stages, questions, raw.get("risks", []))


@dataclass
class JourneyResult:
    stage: str
    stage_name: str
    confidence: str
    fit: float
    runner_up: str | None
    scores: dict[str, float]  # stage and moment codes → 0–1 (NaN when unanswered)
    next_moment: dict | None  # the critical moment ahead, with its score
    risks: list[dict] = field(default_factory=list)  # id, title, explanation, status

    def as_dict(self) -> dict:
        return {"stage": self.stage, "stage_name": self.stage_name,
                "confidence": self.confidence, "fit": self.fit, "runner_up": self.runner_up,
                "scores": {k: (None if math.isnan(v) else v) for k, v in self.scores.items()},
                "next_moment": self.next_moment, "risks": self.risks}


def check_answers(questionnaire: Questionnaire, answers: dict, where: str = "answers"
                  ) -> dict[str, int]:
    """Answers as {question id: 1–5}; unknown ids or values off the scale are errors naming
    the question. Unanswered questions may be left out.

    Parameters
    ----------
    questionnaire
        The questionnaire answered.
    answers
        Question id → answer (1–5).
    where
        Where the answers came from, for error messages.

    Returns
    -------
    dict
        The checked answers.
    """
    known = {q.id for q in questionnaire.questions}
    checked = {}
    for key, value in answers.items():
        key = str(key)
        if key not in known:
            raise DataFormatError(where, f"unknown question {key!r}", column=key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or \
                value not in questionnaire.scale:
            raise DataFormatError(where, f"answer {value!r} is not on the scale "
                                  f"{min(questionnaire.scale)}–{max(questionnaire.scale)}",
                                  column=key)
        checked[key] = value
    return checked


def score(questionnaire: Questionnaire, answers: dict[str, int],
          signals: dict[str, float] | None = None) -> JourneyResult:
    """Place a partnership on the journey from checked answers (see the module docstring).

    Parameters
    ----------
    questionnaire
        The questionnaire answered.
    answers
        Checked answers (:func:`check_answers`).
    signals
        Network signals the risk rules may use (e.g. new_actor_share).

    Returns
    -------
    JourneyResult
        Stage with its fit and confidence, the runner-up, the next critical moment and every
        risk with its status.

    References
    ----------
    NESTA (2008), *Making innovative places*.
    """
    low, high = min(questionnaire.scale), max(questionnaire.scale)
    rescaled = {q: (a - low) / (high - low) for q, a in answers.items()}
    scores = {}
    for part in questionnaire.stage_codes + [s["moment"]["code"] for s in questionnaire.stages]:
        values = [rescaled[q.id] for q in questionnaire.questions
                  if q.part == part and q.id in rescaled]
        scores[part] = sum(values) / len(values) if values else math.nan
    codes = questionnaire.stage_codes
    fits = {stage: _fit(codes, scores, position) for position, stage in enumerate(codes)}
    ranked = sorted(codes, key=lambda s: (-fits[s] if not math.isnan(fits[s]) else 1,
                                          codes.index(s)))
    best, runner_up = ranked[0], (ranked[1] if len(ranked) > 1 else None)
    margin = fits[best] - fits[runner_up] if runner_up else 1.0
    confidence = ("high" if fits[best] >= 0.8 and margin >= 0.1
                  else "medium" if fits[best] >= 0.65 else "low")
    position = codes.index(best)
    next_moment = None
    if position + 1 < len(codes):
        moment = questionnaire.moment_before(codes[position + 1])
        next_moment = {**moment, "score": _none_if_nan(scores[moment["code"]])}
    return JourneyResult(best, questionnaire.part_name(best), confidence, fits[best],
                         runner_up, scores, next_moment,
                         _risks(questionnaire, scores, rescaled, signals or {}))


def _fit(codes: list[str], scores: dict[str, float], position: int) -> float:
    gaps = [abs(scores[code] - (1.0 if k < position else 0.0))
            for k, code in enumerate(codes) if k != position and not math.isnan(scores[code])]
    return 1.0 - sum(gaps) / len(gaps) if gaps else math.nan


def _none_if_nan(value: float) -> float | None:
    return None if math.isnan(value) else value


def _risks(questionnaire: Questionnaire, scores: dict[str, float],
           answers: dict[str, float], signals: dict[str, float]) -> list[dict]:
    out = []
    for risk in questionnaire.risks:
        outcomes = [_condition(c, scores, answers, signals) for c in risk["when"]]
        if all(o is True for o in outcomes):
            status = "flagged"
        elif any(o is False for o in outcomes):
            status = "not flagged"
        else:
            status = "not assessed"
        out.append({"id": risk["id"], "title": risk["title"],
                    "explanation": risk["explanation"], "status": status})
    return out


def _condition(condition: dict, scores: dict[str, float], answers: dict[str, float],
               signals: dict[str, float]) -> bool | None:
    """True/False, or None when the value it needs is missing."""
    if "score" in condition:
        value = scores.get(condition["score"], math.nan)
    elif "question" in condition:
        value = answers.get(condition["question"], math.nan)
    else:
        value = signals.get(condition["signal"], math.nan)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return bool(OPERATORS[condition["op"]](value, condition["value"]))
