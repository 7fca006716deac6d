"""Errors that tell the user exactly where bad input is."""

from __future__ import annotations

from os import PathLike


class PlacelensError(Exception):
    """Base class for errors placelens reports to users without a traceback."""


class DataFormatError(PlacelensError, ValueError):
    """A source file does not have the published format.

    Names the file and, where known, the 1-based row (counting the header as row 1) and the
    column, so the user can open the file and see the problem.
    """

    def __init__(self, file: str | PathLike, message: str, row: int | None = None,
                 column: str | None = None):
        self.file, self.row, self.column, self.detail = str(file), row, column, message
        where = self.file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


class UnknownPlaceError(PlacelensError, LookupError):
    """A place name or code that is not in the warehouse, with suggestions."""

    def __init__(self, query: str, suggestions: list[str]):
        self.query, self.suggestions = query, suggestions
        hint = f" Did you mean: {'; '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"No place matches {query!r}.{hint}")


class WarehouseMissingError(PlacelensError, FileNotFoundError):
    """The warehouse file has not been built yet."""


class BuildRunningError(PlacelensError, RuntimeError):
    """Another build holds the warehouse's lock."""


class InvalidChoiceError(PlacelensError, ValueError):
    """An option given a value outside its allowed choices."""


def check_choice(name: str, value: str, allowed: tuple[str, ...] | list[str]) -> str:
    """Return ``value`` if it is one of ``allowed``; otherwise raise an error naming the
    option and the allowed values (a misspelt option must never run something else)."""
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise InvalidChoiceError(f"{name} must be one of {choices}, not {value!r}")
    return value
