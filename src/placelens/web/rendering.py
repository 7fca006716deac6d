"""Templates and downloads: the Jinja environment (web templates first, then the offline
report's shared sections), and every table as CSV or as XLSX with a metadata sheet."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pandas as pd
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

import placelens
from placelens.geography.area_types import upper_first
from placelens.web.security import csrf_token, current_account


def environment() -> Environment:
    """Web templates override the report's ``_macros.html.j2`` (GOV.UK tables, interactive
    charts) so the profile's sections render as web pages unchanged."""
    env = Environment(loader=ChoiceLoader([PackageLoader("placelens.web", "templates"),
                                           PackageLoader("placelens.report", "templates")]),
                      autoescape=select_autoescape(["html", "j2"]))
    env.globals.update(version=placelens.__version__, ogl=placelens.OGL_ATTRIBUTION)
    env.filters["figure"] = figure
    env.filters["upper_first"] = upper_first
    return env


def figure(value: float | None) -> str:
    """A measured value for a page: three significant figures, whole numbers with thousands
    separators from 1,000 up, "–" when missing."""
    if value is None or value != value:
        return "–"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


ENV = environment()


def page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """A page rendered with what every page needs: the signed-in account, a CSRF token for
    its forms and the current path (for navigation)."""
    html = ENV.get_template(template).render(
        request=request, account=current_account(request), csrf=csrf_token(request),
        path=request.url.path, **context)
    return HTMLResponse(html, status_code=status_code)


def csv_download(frame: pd.DataFrame, filename: str) -> Response:
    return Response(frame.to_csv(index=False), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def xlsx_download(sheets: dict[str, pd.DataFrame], metadata: dict[str, str],
                  filename: str) -> Response:
    """A workbook with one sheet per table and a first sheet, "About", holding the
    metadata (source, release, licence, units, place and when it was made)."""
    about = pd.DataFrame({"Field": list(metadata) + ["Downloaded", "placelens version"],
                          "Value": list(metadata.values()) + [
                              datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                              placelens.__version__]})
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        about.to_excel(writer, sheet_name="About", index=False)
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=_sheet_name(name), index=False)
    return Response(buffer.getvalue(), headers={
        "Content-Disposition": f'attachment; filename="{filename}"'},
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _sheet_name(name: str) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name)
    return cleaned[:31] or "Table"


def frame_of(table: dict) -> pd.DataFrame:
    """A template table (``as_table``'s columns and rows) back as a DataFrame."""
    return pd.DataFrame(table["data"], columns=table["columns"])
