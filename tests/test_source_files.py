"""Source texts from .txt, .pdf and .docx uploads (#17): paragraphs become the units of coding;
damaged, empty or unsupported files are refused naming the file."""

from __future__ import annotations

import io

import pytest

from placelens.errors import DataFormatError
from placelens.qda.source_files import source_text


def _docx(paragraphs: list[str]) -> bytes:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_text_pdf_and_word_give_paragraphs():
    from weasyprint import HTML

    assert source_text("notes.txt", "One.\n\nTwo.".encode("utf-8-sig")) == "One.\n\nTwo."
    word = source_text("interview.docx", _docx(["We piloted again.", "", "The board led."]))
    assert word == "We piloted again.\n\nThe board led."
    pdf = HTML(string="<p>Minutes of the board.</p>").write_pdf()
    assert "Minutes of the board." in source_text("minutes.pdf", pdf)


def test_bad_files_are_refused_naming_the_file():
    with pytest.raises(DataFormatError, match="upload a .txt, .pdf, .docx file"):
        source_text("notes.odt", b"x")
    with pytest.raises(DataFormatError, match="cannot be read as .docx") as damaged:
        source_text("interview.docx", b"not a zip")
    assert damaged.value.file == "interview.docx"
    with pytest.raises(DataFormatError, match="holds no text"):
        source_text("empty.docx", _docx([]))
    with pytest.raises(DataFormatError, match="cannot be read as .txt"):
        source_text("latin.txt", "café".encode("latin-1"))
