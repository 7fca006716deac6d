"""A qualitative-analysis project in memory: the part of the REFI-QDA project model placelens
works with (docs/qualitative.md). Every object is keyed by its GUID, as in the standard, so a
project read from another tool and written back keeps its identities.

Users, a hierarchical codebook, variables, cases (with their variable values and the sources
and selections they cover), text sources with their selections and codings, notes and sets
are modelled. Anything else a tool wrote (picture, PDF, audio or video sources, links,
graphs) is kept as the XML it came in (``extras``) and written back unchanged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


def new_guid() -> str:
    """A fresh GUID in the standard's form."""
    return str(uuid.uuid4())


@dataclass
class User:
    guid: str
    name: str = ""
    id: str = ""


@dataclass
class Code:
    """A code of the codebook; ``children`` make the hierarchy."""

    guid: str
    name: str
    codable: bool = True
    color: str = ""
    description: str = ""
    children: list[Code] = field(default_factory=list)

    def walk(self):
        """This code and every code below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Coding:
    """A code applied to a selection (or a whole source) by a user."""

    guid: str
    code: str                 # the code's GUID
    user: str = ""            # the coder's GUID
    created: str = ""         # xsd:dateTime as written


@dataclass
class Selection:
    """A stretch of a text source, from ``start`` to ``end`` (character positions)."""

    guid: str
    start: int
    end: int
    name: str = ""
    description: str = ""
    user: str = ""
    created: str = ""
    codings: list[Coding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # GUIDs of notes about it


@dataclass
class VariableValue:
    variable: str             # the variable's GUID
    kind: str                 # the schema's type: Text, Boolean, Integer, Float, Date or DateTime
    value: str                # as written in the XML


@dataclass
class TextSource:
    """A text source (also the form of a note): its plain text, selections and codings."""

    guid: str
    name: str = ""
    text: str = ""
    description: str = ""
    user: str = ""
    created: str = ""
    selections: list[Selection] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    values: list[VariableValue] = field(default_factory=list)


@dataclass
class Variable:
    guid: str
    name: str
    kind: str = "Text"
    description: str = ""


@dataclass
class Case:
    """A unit of analysis (a place, a partnership, a stakeholder group...)."""

    guid: str
    name: str = ""
    description: str = ""
    codes: list[str] = field(default_factory=list)
    values: list[VariableValue] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    selections: list[str] = field(default_factory=list)


@dataclass
class CodeSet:
    guid: str
    name: str
    description: str = ""
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Project:
    """A whole project; ``extras`` holds elements kept as XML (see the module docstring) and
    ``files`` the files of the ``.qdpx`` they refer to."""

    name: str
    origin: str = "placelens"
    description: str = ""
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    sources: list[TextSource] = field(default_factory=list)
    notes: list[TextSource] = field(default_factory=list)
    sets: list[CodeSet] = field(default_factory=list)
    extras: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # other files of the .qdpx

    def all_codes(self) -> list[Code]:
        return [code for top in self.codes for code in top.walk()]
