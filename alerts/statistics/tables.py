"""The figures as a table of cells (exports CSV and ODS, the annual report): French headers, and for a
publication counts below the threshold shown as « < 5 » with no medians (a small group's delays could
point at someone)."""

import csv
import io
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from alerts.models import Channel
from backend.core.spreadsheet import csv_safe

Cell = str | int | None


def _headers() -> dict[str, str]:
    return {
        "month": _("mois"),
        "sector": _("secteur"),
        "category": _("catégorie"),
        "channel": _("canal"),
        "outcome": _("issue"),
        "count": _("nombre de signalements"),
        "median_moderation_s": _("médiane réception → modération (s)"),
        "median_acknowledgement_s": _("médiane transmission → prise en compte (s)"),
        "median_close_s": _("médiane réception → fin (s)"),
    }


def small(count: int) -> bool:
    return 0 < count < settings.STATISTICS_PUBLICATION_THRESHOLD


def masked_count(count: int, *, publication: bool) -> Cell:
    """The count, or « < 5 » in a publication when it is below the threshold."""
    if publication and small(count):
        return f"< {settings.STATISTICS_PUBLICATION_THRESHOLD}"
    return count


def figures_table(
    rows: Sequence[dict[str, Any]], group_by: Sequence[str], *, publication: bool
) -> tuple[list[str], list[list[Cell]]]:
    """Headers and cells of the figures, one line per group."""
    names = _headers()
    dims = [name for name in ("month", "sector", "category", "channel", "outcome") if name in group_by]
    measures = ["count", "median_moderation_s", "median_acknowledgement_s", "median_close_s"]
    channels = dict(Channel.choices)
    lines: list[list[Cell]] = []
    for row in rows:
        cells: list[Cell] = []
        for name in dims:
            if name == "sector":
                cells.append(row["sector_name"])
            elif name == "category":
                cells.append(row["category_label"])
            elif name == "channel":
                cells.append(str(channels.get(row["channel"], row["channel"])))
            elif name == "outcome":
                cells.append(row["outcome_label"])
            else:
                cells.append(row[name])
        hidden = publication and small(row["count"])
        cells.append(masked_count(row["count"], publication=publication))
        cells.extend(None if hidden else row[name] for name in measures[1:])
        lines.append(cells)
    return [names[name] for name in dims + measures], lines


def table_csv(headers: list[str], lines: list[list[Cell]]) -> str:
    """CSV UTF-8 with « ; » (as the other exports); texts made safe for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    for line in lines:
        writer.writerow(
            ["" if cell is None else csv_safe(cell) if isinstance(cell, str) else cell for cell in line]
        )
    return buffer.getvalue()


def tables_ods(sheets: Sequence[tuple[str, list[str], list[list[Cell]]]]) -> bytes:
    """An OpenDocument spreadsheet, one sheet per (name, headers, lines); numbers stay numbers."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for name, headers, lines in sheets:
        table = Table(name=name[:31])
        for line in [list[Cell](headers), *lines]:
            row = TableRow()
            for cell in line:
                if isinstance(cell, int):
                    element = TableCell(valuetype="float", value=cell)
                    element.addElement(P(text=str(cell)))
                else:
                    element = TableCell(valuetype="string")
                    element.addElement(P(text="" if cell is None else cell))
                row.addElement(element)
            table.addElement(row)
        document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()
