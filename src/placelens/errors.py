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


class WarehouseCorruptError(PlacelensError, OSError):
    """The warehouse file cannot be read as a whole placelens warehouse."""

    def __init__(self, path, reason):
        from placelens.user_files import shorten

        super().__init__(f"The warehouse {path} is damaged or not a placelens warehouse "
                         f"({shorten(str(reason), 200)}). Rebuild it with `placelens data "
                         "build` (the datapack is not changed by this).")


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


def check_period(name: str, value: object, allowed: list[str]) -> str:
    """``value`` as one of the published periods, or an error naming the range (a period
    outside it must never give a table of blanks)."""
    text = str(value).strip()
    if text not in allowed:
        shown = f"{allowed[0]}–{allowed[-1]}" if len(allowed) > 6 else ", ".join(allowed)
        raise InvalidChoiceError(f"{name} {text!r} is not a published period; choose one of "
                                 f"{shown}")
    return text


def check_order(start: object, end: object, names: tuple[str, str] = ("start", "end")) -> None:
    """Refuse a start that is not before the end (a backwards comparison is never meant)."""
    if str(start) >= str(end):
        raise InvalidChoiceError(f"{names[0]} {start!r} must come before {names[1]} {end!r}")


class InputError(PlacelensError, ValueError):
    """A form field or argument with a value placelens cannot accept; ``field`` names it."""

    def __init__(self, field: str, message: str):
        self.field, self.detail = field, message
        super().__init__(f"{field}: {message}")


class SignInError(PlacelensError, PermissionError):
    """Wrong e-mail address or password (never says which), or too many recent failures."""


class NotFoundError(PlacelensError, LookupError):
    """An item that does not exist or that the caller may not see: the two are reported the
    same way so that a private item's existence never leaks."""


class ForbiddenError(PlacelensError, PermissionError):
    """The caller can see the item but their role does not allow the change."""
