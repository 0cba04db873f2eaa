"""Tables users bring from elsewhere (a CRM export, a spreadsheet saved as CSV), read once.

A CRM export is rarely tidy: `;` or `,` between fields depending on the locale, UTF-8 with
or without a byte-order mark, or Windows-1252 from an old Excel, headers in French or
English with accents and odd case. `read_table` takes the bytes as they are and gives each
cell with the line and column it came from, so every error can say `FILE:LINE:COLUMN`.
Columns are found by header (known names in both languages, or a mapping the user gives);
what the cells mean is for the importer.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping, Sequence

from pacflow.errors import InvalidInputError
from slotted import FrozenValue, frozen_record

DELIMITERS = (";", ",", "\t")


def fold_name(text: str) -> str:
    """A header as compared: no accents, no case, no surrounding spaces, `_` for blanks."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "_".join(plain.casefold().replace("-", " ").split())


@frozen_record
class Row(FrozenValue):
    """One data line: its line number in the file and its cells by column index."""

    line: int
    cells: tuple[str, ...]

    def get(self, column: int | None) -> str:
        """The cell of `column` (stripped), or "" if the line is shorter or there is none."""
        if column is None or column >= len(self.cells):
            return ""
        return self.cells[column].strip()


@frozen_record
class Table(FrozenValue):
    """A CSV file's header and data lines (blank lines left out)."""

    name: str
    header: tuple[str, ...]
    header_line: int
    rows: tuple[Row, ...]

    def where(self, row: Row, column: int | None) -> str:
        """`FILE:LINE:COLUMN` (1-based), or `FILE:LINE` without a column."""
        place = f"{self.name}:{row.line}"
        return f"{place}:{column + 1}" if column is not None else place

    def column(
        self,
        field: str,
        aliases: Sequence[str],
        mapping: Mapping[str, str],
        *,
        required: bool,
        option: str = "--column",
    ) -> int | None:
        """The index of the column holding `field`: the header the user mapped it to, else
        the first header among `aliases` (compared with `fold_name`)."""
        folded = [fold_name(h) for h in self.header]
        if field in mapping:
            wanted = fold_name(mapping[field])
            if wanted not in folded:
                raise InvalidInputError(
                    f"{self.name}: {option} {field}={mapping[field]}: no such column (the "
                    f"header has {', '.join(self.header)})",
                    subject=field,
                )
            return folded.index(wanted)
        for alias in aliases:
            if alias in folded:
                return folded.index(alias)
        if required:
            raise InvalidInputError(
                f"{self.name}:{self.header_line}: no {field} column (a header such as "
                f"{aliases[0]}, or {option} {field}=HEADER; the header has "
                f"{', '.join(self.header)})",
                subject=field,
            )
        return None


def decode(data: bytes, name: str) -> str:
    """The text of a file: UTF-8 (with or without a byte-order mark), else Windows-1252,
    what Excel on Windows writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise InvalidInputError(f"{name}: not a text file (expected CSV in UTF-8)") from None


def _delimiter(first_line: str, forced: str | None) -> str:
    if forced is not None:
        return forced
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def read_table(data: bytes, name: str, *, delimiter: str | None = None) -> Table:
    """The header and data lines of a CSV file separated by `;`, `,` or tabs (the one the
    header line uses most, unless `delimiter` says)."""
    text = decode(data, name)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise InvalidInputError(f"{name}: the file is empty (expected a header line)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first, delimiter))
    header: tuple[str, ...] | None = None
    header_line = 1
    rows: list[Row] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = tuple(cell.strip() for cell in cells)
                header_line = reader.line_num
                continue
            rows.append(Row(reader.line_num, tuple(cells)))
    except csv.Error as error:
        raise InvalidInputError(f"{name}:{reader.line_num}: {error}") from None
    assert header is not None
    return Table(name, header, header_line, tuple(rows))
