"""The demo corpus (docs/qualitative.md): the documents placelens grew from, coded with a
small codebook (``data/demo_corpus.yaml``), as a REFI-QDA project for the demo and the tests.
GUIDs are derived from names, so the corpus is the same project every time it is built."""

from __future__ import annotations

import uuid
from importlib import resources
from pathlib import Path

import yaml

from placelens.analysis.agreement import paragraphs
from placelens.errors import DataFormatError
from placelens.qda.project import Case, Code, Coding, Project, Selection, TextSource, User

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "placelens:demo-corpus")


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "|".join(parts)))


def demo_project(background: Path) -> Project:
    """The background documents as sources, coded by the demo codings.

    Parameters
    ----------
    background
        The folder of background documents (``../shared/background``).

    Returns
    -------
    Project
        One source per document, the codebook, a coded paragraph per coding and the
        place cases.
    """
    spec = yaml.safe_load(resources.files("placelens.data").joinpath("demo_corpus.yaml")
                          .read_text("utf-8"))
    coder = User(_guid("user", spec["coder"]), spec["coder"])
    codes = {name: Code(_guid("code", name), name) for group in spec["codebook"].values()
             for name in group}
    tree = [Code(_guid("code", group), group, codable=not children,
                 children=[codes[c] for c in children])
            for group, children in spec["codebook"].items()]
    codes.update({code.name: code for code in tree})
    sources: dict[str, TextSource] = {}
    for number, item in enumerate(spec["codings"], start=1):
        name = item["document"]
        if name not in sources:
            path = background / name
            if not path.exists():
                raise DataFormatError(path, "background document not found (the demo corpus "
                                      "reads ../shared/background)")
            sources[name] = TextSource(_guid("source", name), name,
                                       path.read_text(encoding="utf-8"))
        source = sources[name]
        found = source.text.find(item["words"])
        span = next(((s, e) for s, e in paragraphs(source.text) if s <= found < e), None)
        if found < 0 or span is None:
            raise DataFormatError("placelens/data/demo_corpus.yaml", f"{item['words']!r} is not "
                                  f"in {name}", row=number, column="words")
        code = codes[item["code"]]
        source.selections.append(Selection(
            _guid("selection", name, item["words"]), *span, codings=[
                Coding(_guid("coding", name, item["words"], code.name), code.guid,
                       coder.guid)]))
    coded = {s.guid for source in sources.values() for s in source.selections}
    cases = []
    for number, case in enumerate(spec.get("cases", []), start=1):
        selection = _guid("selection", case["document"], case["words"])
        if selection not in coded:
            raise DataFormatError("placelens/data/demo_corpus.yaml", f"case {case['name']!r}: "
                                  "no coding has these words", row=number, column="words")
        cases.append(Case(_guid("case", case["name"]), case["name"], case["description"],
                          selections=[selection]))
    return Project("placelens demo corpus", users=[coder], codes=tree, cases=cases,
                   sources=list(sources.values()),
                   description="The documents placelens grew from, coded with a small "
                   "codebook of journey stages, critical moments, leadership and "
                   "collaboration.")
