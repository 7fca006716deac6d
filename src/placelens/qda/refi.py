"""REFI-QDA exchange (docs/qualitative.md): a :class:`~placelens.qda.project.Project` to and
from QDA-XML (``project.qde``, namespace ``urn:QDA-XML:project:1.0``) and the ``.qdpx`` zip that
holds it with its ``Sources/`` folder, checked against the standard's XML schema.

Text sources are written with ``plainTextPath="internal://GUID.txt"`` and the text in
``Sources/``, as the desktop tools do; on reading, inline ``PlainTextContent`` is accepted too.
Every problem names the file and, for XML, the line."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lxml import etree

from placelens.errors import DataFormatError
from placelens.qda.project import (
    Code,
    Coding,
    Project,
    TextSource,
    VariableValue,
)

NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"
PROJECT_FILE = "project.qde"
INTERNAL = "internal://"
#: Elements placelens does not model: kept as XML and written back unchanged.
KEPT = {"Sources": ("PictureSource", "PDFSource", "AudioSource", "VideoSource"),
        "Links": ("Link",), "Graphs": ("Graph",)}
MAX_QDPX_BYTES = 200_000_000


SCHEMA_FILE = "refi-qda/Project-mrt2019.xsd"


def schema(path: Path | None = None) -> etree.XMLSchema:
    """The QDA-XML project schema (default: ``refi-qda/Project-mrt2019.xsd`` in the standards
    folder, :func:`placelens.sources.provenance.standards_dir`)."""
    from placelens.sources.provenance import standards_dir

    path = path or standards_dir() / SCHEMA_FILE
    try:
        return etree.XMLSchema(etree.parse(str(path)))
    except (OSError, etree.XMLSchemaParseError) as error:
        raise DataFormatError(path, f"cannot read the REFI-QDA schema ({error})") from None


def parse_xml(xml: bytes, where: str):
    """The XML's root element (no entities resolved, no network), or an error naming the
    line where it stops being well-formed."""
    try:
        return etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise DataFormatError(where, f"not well-formed XML ({error.msg})",
                              row=error.lineno) from None


def validate(xml: bytes, xsd: etree.XMLSchema, where: str) -> None:
    """Refuse XML the schema does not accept, naming the first error's line."""
    document = parse_xml(xml, where)
    if not xsd.validate(document):
        first = xsd.error_log[0]
        raise DataFormatError(where, f"not a valid REFI-QDA project: {first.message}",
                              row=first.line)


# ---- writing ---------------------------------------------------------------------------
def _element(parent, tag: str, attributes: dict | None = None, text: str = ""):
    node = etree.SubElement(parent, Q + tag, {k: str(v) for k, v in (attributes or {}).items()
                                              if v not in ("", None)})
    if text:
        node.text = text
    return node


def _description(parent, text: str) -> None:
    if text:
        _element(parent, "Description", text=text)


def _refs(parent, tag: str, guids: list[str]) -> None:
    for guid in guids:
        _element(parent, tag, {"targetGUID": guid})


def _code(parent, code: Code) -> None:
    node = _element(parent, "Code", {"guid": code.guid, "name": code.name,
                                     "isCodable": str(code.codable).lower(),
                                     "color": code.color})
    _description(node, code.description)
    for child in code.children:
        _code(node, child)


def _coding(parent, coding: Coding) -> None:
    node = _element(parent, "Coding", {"guid": coding.guid, "creatingUser": coding.user,
                                       "creationDateTime": coding.created})
    _element(node, "CodeRef", {"targetGUID": coding.code})


def _values(parent, values: list[VariableValue]) -> None:
    for value in values:
        node = _element(parent, "VariableValue")
        _element(node, "VariableRef", {"targetGUID": value.variable})
        _element(node, f"{value.kind}Value", text=value.value)


def _text_source(parent, tag: str, source: TextSource, files: dict[str, bytes]) -> None:
    node = _element(parent, tag, {"guid": source.guid, "name": source.name,
                                  "plainTextPath": f"{INTERNAL}{source.guid}.txt",
                                  "creatingUser": source.user,
                                  "creationDateTime": source.created})
    files[f"Sources/{source.guid}.txt"] = source.text.encode("utf-8")
    _description(node, source.description)
    for selection in source.selections:
        chosen = _element(node, "PlainTextSelection", {
            "guid": selection.guid, "name": selection.name,
            "startPosition": selection.start, "endPosition": selection.end,
            "creatingUser": selection.user, "creationDateTime": selection.created})
        _description(chosen, selection.description)
        for coding in selection.codings:
            _coding(chosen, coding)
        _refs(chosen, "NoteRef", selection.notes)
    for coding in source.codings:
        _coding(node, coding)
    _refs(node, "NoteRef", source.notes)
    _values(node, source.values)


def _kept(parent, project: Project, container: str) -> None:
    for xml in project.extras.get(container, []):
        parent.append(etree.fromstring(xml))


def to_xml(project: Project) -> tuple[bytes, dict[str, bytes]]:
    """The project as QDA-XML, and the files of its ``Sources/`` folder.

    Parameters
    ----------
    project
        The project.

    Returns
    -------
    tuple
        ``project.qde``'s bytes and {path in the zip: bytes}.
    """
    files = dict(project.files)
    root = etree.Element(Q + "Project", {"name": project.name, "origin": project.origin},
                         nsmap={None: NS})
    if project.users:
        users = _element(root, "Users")
        for user in project.users:
            _element(users, "User", {"guid": user.guid, "name": user.name, "id": user.id})
    if project.codes:
        codes = _element(_element(root, "CodeBook"), "Codes")
        for code in project.codes:
            _code(codes, code)
    if project.variables:
        variables = _element(root, "Variables")
        for variable in project.variables:
            node = _element(variables, "Variable", {"guid": variable.guid, "name": variable.name,
                                                    "typeOfVariable": variable.kind})
            _description(node, variable.description)
    if project.cases:
        cases = _element(root, "Cases")
        for case in project.cases:
            node = _element(cases, "Case", {"guid": case.guid, "name": case.name})
            _description(node, case.description)
            _refs(node, "CodeRef", case.codes)
            _values(node, case.values)
            _refs(node, "SourceRef", case.sources)
            _refs(node, "SelectionRef", case.selections)
    if project.sources or project.extras.get("Sources"):
        sources = _element(root, "Sources")
        for source in project.sources:
            _text_source(sources, "TextSource", source, files)
        _kept(sources, project, "Sources")
    if project.notes:
        notes = _element(root, "Notes")
        for note in project.notes:
            _text_source(notes, "Note", note, files)
    if project.extras.get("Links"):
        _kept(_element(root, "Links"), project, "Links")
    if project.sets:
        sets = _element(root, "Sets")
        for member in project.sets:
            node = _element(sets, "Set", {"guid": member.guid, "name": member.name})
            _description(node, member.description)
            _refs(node, "MemberCode", member.codes)
            _refs(node, "MemberSource", member.sources)
            _refs(node, "MemberNote", member.notes)
    if project.extras.get("Graphs"):
        _kept(_element(root, "Graphs"), project, "Graphs")
    _description(root, project.description)
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return xml, files


def qdpx_bytes(project: Project) -> bytes:
    """The project as a ``.qdpx`` file (zip of ``project.qde`` and ``Sources/``)."""
    xml, files = to_xml(project)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(PROJECT_FILE, xml)
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()


# ---- codebooks (.qdc) ------------------------------------------------------------------
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"


def codebook_bytes(codes: list[Code], origin: str = "placelens") -> bytes:
    """A codebook alone as a ``.qdc`` file (``CodeBook`` in the codebook namespace).

    Parameters
    ----------
    codes
        The top-level codes, with their children.
    origin
        The writing tool, as the standard asks.

    Returns
    -------
    bytes
        The XML.
    """
    project = etree.Element(Q + "Project", {"name": "codebook", "origin": origin},
                            nsmap={None: NS})
    holder = _element(_element(project, "CodeBook"), "Codes")
    for code in codes:
        _code(holder, code)
    root = in_namespace(project.find(Q + "CodeBook"), CODEBOOK_NS)
    root.set("origin", origin)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def in_namespace(node, namespace: str):
    """A copy of ``node`` with every element moved into ``namespace`` (line numbers kept, so
    a schema error still names the line of the file it came from)."""
    copy = etree.Element(f"{{{namespace}}}{etree.QName(node).localname}", dict(node.attrib),
                         nsmap={None: namespace})
    copy.text = node.text
    if node.sourceline is not None:
        copy.sourceline = node.sourceline
    for child in node:
        if isinstance(child.tag, str):
            copy.append(in_namespace(child, namespace))
    return copy
