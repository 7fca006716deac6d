"""Reading REFI-QDA projects (``.qdpx``) into a :class:`~placelens.qda.project.Project`,
validated against the standard's schema first; errors name the file and, for XML, the line
(docs/qualitative.md)."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from placelens.errors import DataFormatError
from placelens.qda.project import (
    Case,
    Code,
    CodeSet,
    Coding,
    Project,
    Selection,
    TextSource,
    User,
    Variable,
    VariableValue,
)
from placelens.qda.refi import (
    CODEBOOK_NS,
    INTERNAL,
    KEPT,
    MAX_QDPX_BYTES,
    NS,
    PROJECT_FILE,
    Q,
    in_namespace,
    parse_xml,
    validate,
)


def read_qdpx(data: bytes, where: str, xsd: etree.XMLSchema) -> Project:
    """A ``.qdpx`` project, checked against ``xsd``.

    Parameters
    ----------
    data
        The file's bytes.
    where
        Its name, for messages.
    xsd
        The QDA-XML schema (:func:`placelens.qda.refi.schema`).

    Returns
    -------
    Project
        Everything it holds; files it holds beside the sources are kept in ``files``.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DataFormatError(where, "not a .qdpx file (a zip archive)") from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_QDPX_BYTES:
            raise DataFormatError(where, f"unpacks to more than {MAX_QDPX_BYTES:,} bytes")
        if PROJECT_FILE not in archive.namelist():
            raise DataFormatError(where, f"has no {PROJECT_FILE}")
        files = {name: archive.read(name) for name in archive.namelist()
                 if not name.endswith("/")}
    xml = files.pop(PROJECT_FILE)
    validate(xml, xsd, f"{where}: {PROJECT_FILE}")
    return from_xml(xml, files, where)


def _text(node, tag: str) -> str:
    found = node.find(Q + tag)
    return found.text or "" if found is not None else ""


def _refs(node, tag: str) -> list[str]:
    return [ref.get("targetGUID") for ref in node.findall(Q + tag)]


def _code(node) -> Code:
    return Code(node.get("guid"), node.get("name"), node.get("isCodable") in ("true", "1"),
                node.get("color", ""), _text(node, "Description"),
                [_code(child) for child in node.findall(Q + "Code")])


def _coding(node) -> Coding:
    return Coding(node.get("guid"), node.find(Q + "CodeRef").get("targetGUID"),
                  node.get("creatingUser", ""), node.get("creationDateTime", ""))


def _values(node) -> list[VariableValue]:
    values = []
    for value in node.findall(Q + "VariableValue"):
        ref, content = value.find(Q + "VariableRef"), value.find(Q + "VariableRef").getnext()
        kind = etree.QName(content).localname.removesuffix("Value") if content is not None \
            else "Text"
        values.append(VariableValue(ref.get("targetGUID"), kind,
                                    content.text or "" if content is not None else ""))
    return values


def _source(node, files: dict[str, bytes], where: str) -> TextSource:
    text = _text(node, "PlainTextContent")
    path = node.get("plainTextPath", "")
    if path.startswith(INTERNAL):
        name = "Sources/" + path.removeprefix(INTERNAL)
        if name not in files:
            raise DataFormatError(where, f"source {node.get('name')!r} refers to {name}, "
                                  "which the file does not hold")
        text = files.pop(name).decode("utf-8-sig")
    elif path:
        raise DataFormatError(where, f"source {node.get('name')!r} refers to a file outside "
                              f"the project ({path}); export it with its sources included")
    selections = [Selection(
        s.get("guid"), int(s.get("startPosition")), int(s.get("endPosition")),
        s.get("name", ""), _text(s, "Description"), s.get("creatingUser", ""),
        s.get("creationDateTime", ""), [_coding(c) for c in s.findall(Q + "Coding")],
        _refs(s, "NoteRef")) for s in node.findall(Q + "PlainTextSelection")]
    return TextSource(node.get("guid"), node.get("name", ""), text, _text(node, "Description"),
                      node.get("creatingUser", ""), node.get("creationDateTime", ""),
                      selections, [_coding(c) for c in node.findall(Q + "Coding")],
                      _refs(node, "NoteRef"), _values(node))


def from_xml(xml: bytes, files: dict[str, bytes], where: str) -> Project:
    """A project from validated QDA-XML and the other files of its ``.qdpx``."""
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    section = {etree.QName(child).localname: child for child in root}
    project = Project(root.get("name"), root.get("origin", ""), _text(root, "Description"))
    if "Users" in section:
        project.users = [User(u.get("guid"), u.get("name", ""), u.get("id", ""))
                         for u in section["Users"]]
    if "CodeBook" in section:
        project.codes = [_code(c) for c in section["CodeBook"].find(Q + "Codes")]
    if "Variables" in section:
        project.variables = [Variable(v.get("guid"), v.get("name"), v.get("typeOfVariable"),
                                      _text(v, "Description")) for v in section["Variables"]]
    if "Cases" in section:
        project.cases = [Case(c.get("guid"), c.get("name", ""), _text(c, "Description"),
                              _refs(c, "CodeRef"), _values(c), _refs(c, "SourceRef"),
                              _refs(c, "SelectionRef")) for c in section["Cases"]]
    if "Sets" in section:
        project.sets = [CodeSet(s.get("guid"), s.get("name"), _text(s, "Description"),
                                _refs(s, "MemberCode"), _refs(s, "MemberSource"),
                                _refs(s, "MemberNote")) for s in section["Sets"]]
    for container, tags in KEPT.items():
        kept = [etree.tostring(node, with_tail=False).decode()
                for node in section.get(container, [])
                if etree.QName(node).localname in tags]
        if kept:
            project.extras[container] = kept
    if "Sources" in section:
        project.sources = [_source(s, files, where) for s in section["Sources"]
                           if etree.QName(s).localname == "TextSource"]
    if "Notes" in section:
        project.notes = [_source(n, files, where) for n in section["Notes"]]
    project.files = files
    return project


def kept_elements(project: Project) -> list[str]:
    """The elements a project holds that placelens only keeps as XML (``extras``), each as
    its element name and its ``name`` attribute, e.g. ``PDFSource 'Minutes'``."""
    found = []
    for items in project.extras.values():
        for xml in items:
            node = etree.fromstring(xml)
            found.append(f"{etree.QName(node).localname} {node.get('name', '')!r}")
    return found


def read_qdc(data: bytes, where: str, xsd: etree.XMLSchema) -> list[Code]:
    """A ``.qdc`` codebook's codes, checked against ``xsd``.

    The standards folder holds the project schema only; a codebook's ``Codes`` are the same
    type as a project's, so they are checked as the codebook of a project.

    Parameters
    ----------
    data
        The file's bytes.
    where
        Its name, for messages.
    xsd
        The QDA-XML project schema (:func:`placelens.qda.refi.schema`).

    Returns
    -------
    list of Code
        The top-level codes, with their children.
    """
    root = parse_xml(data, where)
    if etree.QName(root) != etree.QName(CODEBOOK_NS, "CodeBook"):
        raise DataFormatError(where, f"not a REFI-QDA codebook (its root is "
                              f"{etree.QName(root).localname}, not CodeBook in {CODEBOOK_NS})",
                              row=root.sourceline)
    project = etree.Element(Q + "Project", {"name": "codebook"}, nsmap={None: NS})
    project.append(in_namespace(root, NS))
    project[0].attrib.pop("origin", None)
    if not xsd.validate(project):
        first = xsd.error_log[0]
        message = first.message.replace(f"{{{NS}}}", "")
        raise DataFormatError(where, f"not a valid REFI-QDA codebook: {message}",
                              row=first.line)
    return [_code(c) for c in project[0].find(Q + "Codes")]
