"""Source texts from files (docs/qualitative.md): plain text (``.txt``), PDF (``.pdf``, its
text layer, page by page) and Word (``.docx``, paragraph by paragraph), each paragraph
separated by a blank line so it becomes a unit of coding. Errors name the file."""

from __future__ import annotations

import io
from pathlib import Path

from placelens.errors import DataFormatError
from placelens.user_tables import MAX_UPLOAD_BYTES

FILE_TYPES = (".txt", ".pdf", ".docx")


def source_text(filename: str, data: bytes) -> str:
    """The text of an uploaded source.

    Parameters
    ----------
    filename
        The name the user gave the file; its ending picks the reader.
    data
        The file's content.

    Returns
    -------
    str
        Paragraphs separated by blank lines.
    """
    suffix = Path(filename or "").suffix.lower()
    if suffix not in FILE_TYPES:
        raise DataFormatError(filename, f"upload a {', '.join(FILE_TYPES)} file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise DataFormatError(filename, f"the file is {len(data):,} bytes; the limit is "
                              f"{MAX_UPLOAD_BYTES:,}")
    try:
        text = _read(suffix, data)
    except Exception as error:  # the readers raise many kinds on damaged files
        raise DataFormatError(filename, f"cannot be read as {suffix} ({error})") from None
    if not text.strip():
        raise DataFormatError(filename, "holds no text (a scanned PDF needs OCR first)")
    return text


def _read(suffix: str, data: bytes) -> str:
    if suffix == ".txt":
        return data.decode("utf-8-sig")
    if suffix == ".pdf":
        from pypdf import PdfReader

        pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
        return "\n\n".join(p.strip() for p in pages if p.strip())
    from docx import Document

    paragraphs = [p.text.strip() for p in Document(io.BytesIO(data)).paragraphs]
    return "\n\n".join(p for p in paragraphs if p)
