"""REFI-QDA exchange (#17): a project written as .qdpx validates against the standard's schema
(../shared/standards/refi-qda), reads back equal, and import → export → import loses nothing —
including elements placelens does not model (a PDF source and its file, a link); damaged or
invalid files are refused naming the file and line."""

from __future__ import annotations

import io
import zipfile

import pytest

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
    NS,
    PROJECT_FILE,
    codebook_bytes,
    qdpx_bytes,
    schema,
    to_xml,
    validate,
)
from placelens.qda.refi_read import read_qdc, read_qdpx

G = "00000000-0000-4000-8000-{:012d}".format


@pytest.fixture(scope="module")
def xsd(datapack):
    return schema(datapack.parent / "standards" / "refi-qda" / "Project-mrt2019.xsd")


def sample() -> Project:
    text = "We kept piloting.\n\nThe council led; newcomers found it closed.\n\nCafé ☕ notes."
    start = text.index("council")
    interview = TextSource(
        G(10), "Interview 1", text, "Partnership lead, 2026", G(1), "2026-11-30T10:00:00Z",
        [Selection(G(11), 0, 16, "piloting", "", G(1), "2026-11-30T10:05:00Z",
                   [Coding(G(12), G(3), G(1), "2026-11-30T10:05:00Z"),
                    Coding(G(13), G(3), G(2))], [G(40)]),
         Selection(G(14), start, start + 11, codings=[Coding(G(15), G(4), G(2))])],
        [Coding(G(16), G(5), G(1))], [], [VariableValue(G(20), "Text", "interview")])
    return Project(
        "Tees LPIP interviews", description="Coded for the journey's critical moments",
        users=[User(G(1), "Ann", "ann"), User(G(2), "Bob")],
        codes=[Code(G(5), "Critical moments", False, "#1D70B8", "Moments of the journey",
                    [Code(G(3), "Perpetual piloting", color="#F47738"),
                     Code(G(4), "Leadership closed to newcomers")])],
        variables=[Variable(G(20), "Kind of material"), Variable(G(21), "Stage", "Integer")],
        cases=[Case(G(30), "Hartlepool (E06000001)", "Place case", [G(3)],
                    [VariableValue(G(21), "Integer", "2")], [G(10)], [G(11)])],
        sources=[interview],
        notes=[TextSource(G(40), "Memo on piloting", "Three pilots, no scale-up.")],
        sets=[CodeSet(G(50), "Journey", "", [G(3), G(4)], [G(10)], [G(40)])],
        extras={"Sources": [f'<PDFSource xmlns="{NS}" guid="{G(60)}" name="Minutes" '
                            'path="internal://minutes.pdf"/>'],
                "Links": [f'<Link xmlns="{NS}" guid="{G(70)}" name="led by" '
                          f'originGUID="{G(14)}" targetGUID="{G(11)}"/>']},
        files={"Sources/minutes.pdf": b"%PDF-1.4 minutes"})


def test_export_validates_and_reads_back_equal(xsd):
    project = sample()
    xml, files = to_xml(project)
    validate(xml, xsd, "export")
    assert files[f"Sources/{G(10)}.txt"].decode() == project.sources[0].text
    data = qdpx_bytes(project)
    assert read_qdpx(data, "export.qdpx", xsd) == project


def test_import_export_import_loses_nothing(xsd):
    first = read_qdpx(qdpx_bytes(sample()), "first.qdpx", xsd)
    second = read_qdpx(qdpx_bytes(first), "second.qdpx", xsd)
    assert second == first
    assert second.extras["Links"] and second.files == {"Sources/minutes.pdf": b"%PDF-1.4 minutes"}
    assert [c.name for c in second.all_codes()] == ["Critical moments", "Perpetual piloting",
                                                    "Leadership closed to newcomers"]
    selection = second.sources[0].selections[1]
    assert second.sources[0].text[selection.start:selection.end] == "council led"


def test_a_codebook_alone_goes_out_and_back_in_checked(xsd):
    """A .qdc holds the codebook in its own namespace; it reads back equal, and an invalid
    one is refused naming the line, as the project schema's code type is checked."""
    codes = sample().codes
    data = codebook_bytes(codes)
    assert data.splitlines()[1].startswith(b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"')
    assert read_qdc(data, "codes.qdc", xsd) == codes
    broken = data.replace(b'isCodable="false"', b'isCodable="maybe"')
    with pytest.raises(DataFormatError, match="codes.qdc, row 4: not a valid REFI-QDA "
                       "codebook: Element 'Code', attribute 'isCodable'"):
        read_qdc(broken, "codes.qdc", xsd)
    with pytest.raises(DataFormatError, match="its root is Project"):
        read_qdc(to_xml(sample())[0], "project.qde", xsd)
    with pytest.raises(DataFormatError, match="not well-formed"):
        read_qdc(data[:80], "codes.qdc", xsd)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_bad_projects_are_refused_naming_file_and_line(xsd):
    with pytest.raises(DataFormatError, match="not a .qdpx file"):
        read_qdpx(b"plain text", "x.qdpx", xsd)
    with pytest.raises(DataFormatError, match="has no project.qde"):
        read_qdpx(_zip({"other.txt": b"x"}), "x.qdpx", xsd)
    xml, files = to_xml(sample())
    broken = xml.replace(b'isCodable="false"', b'isCodable="maybe"')
    with pytest.raises(DataFormatError, match="not a valid REFI-QDA project") as invalid:
        read_qdpx(_zip({PROJECT_FILE: broken, **files}), "x.qdpx", xsd)
    assert invalid.value.row == broken[:broken.index(b"maybe")].count(b"\n") + 1
    with pytest.raises(DataFormatError, match="not well-formed"):
        read_qdpx(_zip({PROJECT_FILE: xml[:200], **files}), "x.qdpx", xsd)
    missing = {k: v for k, v in files.items() if not k.endswith(f"{G(10)}.txt")}
    with pytest.raises(DataFormatError, match="which the file does not hold"):
        read_qdpx(_zip({PROJECT_FILE: xml, **missing}), "x.qdpx", xsd)


def test_demo_corpus_is_a_valid_coded_project(xsd, datapack, tmp_path):
    from typer.testing import CliRunner

    from placelens.cli import app
    from placelens.qda.demo_corpus import demo_project

    project = demo_project(datapack.parent / "background")
    assert read_qdpx(qdpx_bytes(project), "demo.qdpx", xsd) == project
    used = {c.code for s in project.sources for x in s.selections for c in x.codings}
    leaves = {c.guid for c in project.all_codes() if c.codable}
    assert used == leaves                    # every stage, moment and theme is illustrated
    for source in project.sources:
        for selection in source.selections:  # each coding is a whole paragraph
            assert "\n\n" not in source.text[selection.start:selection.end]
    assert demo_project(datapack.parent / "background") == project   # the same every time
    [manchester] = project.cases                 # a place case naming the passage about it
    [passage] = [x for s in project.sources for x in s.selections
                 if x.guid in manchester.selections]
    text = project.sources[0].text[passage.start:passage.end]
    assert "E08000003" in manchester.name and text.startswith("In Manchester, for example")
    written = CliRunner().invoke(app, ["qual", "demo", "--out", str(tmp_path / "d.qdpx")])
    assert written.exit_code == 0 and "16 coded passages" in written.output
