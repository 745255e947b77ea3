"""Read and write Pabulib ``.pb`` files (https://pabulib.org/format).

A file has three ``;``-separated CSV sections: ``META`` (key;value pairs), ``PROJECTS`` (one row
per project, at least ``project_id`` and ``cost``) and ``VOTES`` (one row per voter, at least
``voter_id`` and ``vote``; ``points`` too for cumulative and scoring ballots). Fields containing
``;`` or ``"`` are quoted with inner quotes doubled, so the csv module does the splitting.

Ballots are stored as compact numpy arrays (CSR layout: ``offsets`` into a flat array of project
indices) so that the rules can work on 100,000 voters without one Python object per ballot.

Any problem raises :class:`PabulibError` naming the section, the line of the file and the field,
e.g. ``PROJECTS line 12: field 'cost': 'abc' is not a number``.
"""

from __future__ import annotations

import bisect
import csv
import io
import lzma
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

from budgeting.pb.numbers import format_number, parse_number

IntArray = npt.NDArray[np.int64]

SECTIONS = ("meta", "projects", "votes")
# Costs of exactly this amount mark projects that were on the ballot but could not be implemented.
UNIMPLEMENTABLE_COST = Fraction(999_999_999)


class PabulibError(ValueError):
    """A Pabulib file (or a value destined for one) is malformed."""


class VoteType(StrEnum):
    APPROVAL = "approval"
    CHOOSE_1 = "choose-1"
    CUMULATIVE = "cumulative"
    ORDINAL = "ordinal"
    SCORING = "scoring"

    @property
    def has_points(self) -> bool:
        return self in (VoteType.CUMULATIVE, VoteType.SCORING)

    @property
    def is_approval(self) -> bool:
        """choose-1 ballots are approval ballots of length one (pabutools reads them so too)."""
        return self in (VoteType.APPROVAL, VoteType.CHOOSE_1)


@dataclass(frozen=True, slots=True)
class Project:
    """One row of PROJECTS. ``fields`` keeps every other column as written (name, category, ...)."""

    id: str
    cost: Fraction
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.fields.get("name", "")


@dataclass(frozen=True, eq=False)
class Ballots:
    """All ballots in CSR layout.

    Voter ``v`` chose ``projects[offsets[v]:offsets[v + 1]]`` (indices into ``Instance.projects``,
    in the order of the file, which for ordinal ballots is the ranking, best first). For cumulative
    and scoring ballots ``points`` holds the points given to each of those projects as integers
    scaled by ``points_scale`` (exact: the real value is ``points / points_scale``).
    """

    offsets: IntArray
    projects: IntArray
    voter_ids: tuple[str, ...]
    points: IntArray | None = None
    points_scale: int = 1
    voter_columns: tuple[str, ...] = ()
    voter_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.voter_ids)

    def ballot(self, voter: int) -> IntArray:
        return self.projects[self.offsets[voter] : self.offsets[voter + 1]]

    def points_of(self, voter: int) -> list[Fraction]:
        if self.points is None:
            return []
        scaled = self.points[self.offsets[voter] : self.offsets[voter + 1]]
        return [Fraction(int(value), self.points_scale) for value in scaled]

    def lengths(self) -> IntArray:
        return np.diff(self.offsets)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ballots):
            return NotImplemented
        if (self.points is None) != (other.points is None):
            return False
        same_points = self.points is None or (
            other.points is not None
            and np.array_equal(self.points * other.points_scale, other.points * self.points_scale)
        )
        return (
            same_points
            and np.array_equal(self.offsets, other.offsets)
            and np.array_equal(self.projects, other.projects)
            and self.voter_ids == other.voter_ids
            and self.voter_columns == other.voter_columns
            and dict(self.voter_fields) == dict(other.voter_fields)
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, eq=False)
class Instance:
    """A participatory-budgeting election: META, projects (file order) and ballots."""

    meta: Mapping[str, str]
    vote_type: VoteType
    budget: Fraction
    projects: tuple[Project, ...]
    ballots: Ballots
    project_columns: tuple[str, ...] = ()
    # Irregularities accepted while reading (not part of equality: the same election).
    warnings: tuple[PabulibWarning, ...] = ()

    def __post_init__(self) -> None:
        index = {project.id: position for position, project in enumerate(self.projects)}
        if len(index) != len(self.projects):
            raise PabulibError("PROJECTS: project ids must be unique")
        object.__setattr__(self, "_index", index)

    @property
    def num_voters(self) -> int:
        return len(self.ballots)

    def project_index(self, project_id: str) -> int:
        index: dict[str, int] = object.__getattribute__(self, "_index")
        return index[project_id]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Instance):
            return NotImplemented
        return (
            dict(self.meta) == dict(other.meta)
            and self.vote_type == other.vote_type
            and self.budget == other.budget
            and self.projects == other.projects
            and self.project_columns == other.project_columns
            and self.ballots == other.ballots
        )

    __hash__ = None  # type: ignore[assignment]


# --------------------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class PabulibWarning:
    """An irregularity the parser accepted (pabutools 1.2.3 reads it too) and what it made of it.

    ``kind`` is a stable name for the kind of irregularity (listed in docs/budgeting-rules.md), so
    that a caller can group or count them; ``str()`` reads like a :class:`PabulibError`.
    """

    kind: str
    section: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = " ".join(part for part in (self.section, f"line {self.line}" if self.line else "") if part)
        return f"{where}: {self.message}" if where else self.message


# Irregularities that the writer, strict, refuses to write back (see write_pabulib_text).
UNWRITABLE = frozenset({"project-empty-id", "project-id-comma", "choose-1-several"})


class _Notes:
    """Collects warnings while parsing."""

    def __init__(self) -> None:
        self.items: list[PabulibWarning] = []

    def add(self, kind: str, section: str, line: int | None, message: str) -> None:
        self.items.append(PabulibWarning(kind, section, line, message))


class _Rows:
    """csv rows with the physical line number where each row starts, empty lines skipped."""

    def __init__(self, text: str) -> None:
        # Not strict: real files contain fields such as `"Odkupmy" i my` (a quote that does not
        # enclose the whole field), which pabutools reads leniently as well.
        self._reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
        self._total_lines = text.count("\n") + (0 if text.endswith("\n") else 1)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        while True:
            start = self._reader.line_num + 1
            try:
                row = next(self._reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise PabulibError(f"line {self._reader.line_num}: malformed CSV ({error})") from None
            # Like pabutools, only a row without any separator is blank: ";;" is a row of empty fields.
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if self._reader.line_num > start and self._swallowed(row):
                raise PabulibError(f"line {start}: a quote opened here is never closed")
            yield start, row

    def _swallowed(self, row: list[str]) -> bool:
        """A multi-line record that reaches the end of the file or contains a section header."""
        if self._reader.line_num >= self._total_lines and any("\n" in cell for cell in row):
            return True
        return any(f"\n{name}" in cell.lower() for cell in row for name in SECTIONS)


@dataclass
class _Block:
    """One appearance of a section in the file: its header and its rows."""

    label: str
    line: int
    header: list[str] | None = None
    header_line: int = 0
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def _sections(text: str, notes: _Notes) -> dict[str, list[_Block]]:
    """Split the file into its sections, each a list of blocks (one per appearance).

    Like pabutools, a row whose first field names a section starts that section whatever else it
    holds, and the row after it is the block's header (even a row that names a section itself).
    Sections may come in any order and more than once (pabutools reads them one after the other):
    each irregularity is noted.
    """
    found: dict[str, list[_Block]] = {}
    current: _Block | None = None
    order: list[str] = []
    for line, row in _Rows(text):
        first = row[0].strip().lower()
        awaiting_header = current is not None and current.header is None
        if first in SECTIONS and not awaiting_header:
            label = first.upper()
            if any(cell.strip() for cell in row[1:]):
                notes.add("section-row-extra-fields", label, line,
                          f"the section name is followed by {';'.join(row[1:])!r}, which is ignored")
            if first in found:
                notes.add("section-repeated", label, line,
                          "the section appears again; its rows are read as more rows of it (as pabutools does)")
            elif order and SECTIONS.index(first) < SECTIONS.index(order[-1]):
                notes.add("section-order", label, line,
                          f"comes after {order[-1].upper()} (the order is META, PROJECTS, VOTES)")
            current = _Block(label, line)
            found.setdefault(first, []).append(current)
            order.append(first)
            continue
        if current is None:
            if any(cell.strip() for cell in row):
                notes.add("data-before-meta", "", line, "data before the first section is ignored (as pabutools does)")
        elif current.header is None:
            if all(not cell.strip() for cell in row):
                notes.add("blank-row", current.label, line, "a row of empty fields before the header is ignored")
                continue
            if first in SECTIONS:  # pabutools takes the row after a section name as its header, whatever it is
                notes.add("section-name-as-header", current.label, line,
                          f"{row[0].strip()!r} right after the section name is read as the header, not as a "
                          "new section (as pabutools does)")
            current.header, current.header_line = [cell.strip() for cell in row], line
        else:
            current.rows.append((line, row))
    return found


def _header(section: str, line: int, names: list[str], notes: _Notes) -> list[str]:
    """Column names made unique and non-empty; like pabutools, the last of two equal names wins."""
    result = list(names)
    for position, name in enumerate(names):
        if not name:
            result[position] = f"column_{position + 1}"
            notes.add("header-empty-name", section, line,
                      f"column {position + 1} has no name; it is called {result[position]!r}")
    for position, name in enumerate(names):
        if name and name in names[position + 1 :]:
            result[position] = f"{name}_{position + 1}"
            notes.add("header-repeated-name", section, line,
                      f"column {name!r} appears twice; the last one is used (as pabutools does), "
                      f"column {position + 1} is kept as {result[position]!r}")
    return result


def _fit(section: str, line: int, row: list[str], width: int, header: list[str], notes: _Notes) -> list[str]:
    """A row of exactly the header's width: trailing empty fields dropped, missing ones empty."""
    if len(row) == width:
        return row
    if len(row) > width:
        if any(cell.strip() for cell in row[width:]):
            raise PabulibError(f"{section} line {line}: expected {width} fields ({';'.join(header)}), got {len(row)}")
        notes.add("row-extra-empty-fields", section, line,
                  f"{len(row) - width} empty field(s) after the {width} of the header are ignored")
        return row[:width]
    notes.add("row-missing-fields", section, line,
              f"{len(row)} fields for the {width} of the header; the missing ones "
              f"({';'.join(header[len(row):])}) are read as empty")
    return row + [""] * (width - len(row))


# mpq, which pabutools uses, reads exponents and digit-group underscores as well ("1e6", "1_000").
_LENIENT_NUMBER = re.compile(r"(?P<mantissa>-?(\d+(_\d+)*)?(\.(\d+(_\d+)*)?)?)(?:[eE](?P<exponent>[+-]?\d{1,3}))?")
_LARGEST_EXPONENT = 30


def _number(section: str, line: int, name: str, text: str, notes: _Notes, *, negative: bool = False) -> Fraction:
    try:
        value = parse_number(text)
    except ValueError:
        value = _lenient_number(section, line, name, text, notes)
    if value < 0 and not negative:
        raise PabulibError(f"{section} line {line}: field {name!r}: {text.strip()!r} must not be negative")
    return value


def _lenient_number(section: str, line: int, name: str, text: str, notes: _Notes) -> Fraction:
    cleaned = text.strip()
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    match = _LENIENT_NUMBER.fullmatch(cleaned)
    mantissa = match["mantissa"].replace("_", "") if match else ""
    if not match or not any(ch.isdigit() for ch in mantissa):
        raise PabulibError(f"{section} line {line}: field {name!r}: {text.strip()!r} is not a number") from None
    exponent = int(match["exponent"] or 0)
    if abs(exponent) > _LARGEST_EXPONENT:
        raise PabulibError(f"{section} line {line}: field {name!r}: {text.strip()!r} is out of range")
    value = Fraction(mantissa if mantissa not in ("-", "") else "0") * Fraction(10) ** exponent
    notes.add("number-notation", section, line,
              f"field {name!r}: {text.strip()!r} is read as {format_number(value)} (as pabutools does)")
    return value


def parse_pabulib_text(text: str) -> Instance:
    """Parse the content of a ``.pb`` file.

    Liberal like pabutools 1.2.3: every file it reads is read with the same meaning, each
    irregularity noted in ``Instance.warnings`` with its line. Anything else raises
    :class:`PabulibError` naming the section, the line and the field.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    notes = _Notes()
    sections = _sections(text, notes)
    for name in SECTIONS:
        if name not in sections:
            if name == "meta":
                raise PabulibError("file has no META section (budget and vote_type are needed)")
            empty = "no projects" if name == "projects" else "no voters"
            notes.add("section-missing", name.upper(), None, f"the file has no {name.upper()} section: read as {empty}")
            sections[name] = []

    meta, meta_lines = _read_meta(sections["meta"], notes)
    vote_type = _meta_vote_type(meta, meta_lines)
    if "budget" not in meta:
        raise PabulibError("META: field 'budget' is missing")
    budget = _number("META", meta_lines["budget"], "budget", meta["budget"], notes)
    projects, project_columns = _read_projects(sections["projects"], notes)
    ballots = _read_votes(sections["votes"], vote_type, {p.id: i for i, p in enumerate(projects)}, notes)

    _check_count(meta, meta_lines, "num_projects", len(projects), notes)
    _check_count(meta, meta_lines, "num_votes", len(ballots), notes)
    return Instance(
        meta=meta,
        vote_type=vote_type,
        budget=budget,
        projects=tuple(projects),
        ballots=ballots,
        project_columns=tuple(project_columns),
        warnings=tuple(notes.items),
    )


def _read_meta(blocks: list[_Block], notes: _Notes) -> tuple[dict[str, str], dict[str, int]]:
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    for block in blocks:
        if block.header is not None and [name.lower() for name in block.header] != ["key", "value"]:
            notes.add("meta-header", "META", block.header_line,
                      f"the header should be 'key;value'; {';'.join(block.header)!r} is skipped as a header "
                      "(as pabutools does)")
        for line, row in block.rows:
            key = row[0].strip()
            if len(row) != 2:
                what = "the value is read as empty" if len(row) == 1 else "the fields after the value are ignored"
                notes.add("meta-fields", "META", line, f"expected 2 fields (key;value), got {len(row)}; {what}")
            value = row[1].strip() if len(row) > 1 else ""
            if not key:
                notes.add("meta-empty-key", "META", line, f"a value {value!r} without a key is ignored")
                continue
            if key in meta:
                notes.add("meta-repeated-key", "META", line,
                          f"key {key!r} appears again (first on line {meta_lines[key]}); the last value "
                          f"{value!r} is used (as pabutools does)")
                del meta[key]
            meta[key], meta_lines[key] = value, line
    return meta, meta_lines


def _unusable_empty_block(block: _Block, required: tuple[str, ...], notes: _Notes) -> bool:
    """A block without rows whose header lacks a required column: pabutools never reads that header."""
    if block.rows or block.header is None or all(name in block.header for name in required):
        return False
    notes.add("section-empty", block.label, block.line,
              f"the section has no rows and its header {';'.join(block.header)!r} is not one; ignored")
    return True


def _read_projects(blocks: list[_Block], notes: _Notes) -> tuple[list[Project], list[str]]:
    projects: list[Project] = []
    columns: dict[str, None] = {}  # the other columns of every block, in order of appearance
    index: dict[str, int] = {}
    first_line: dict[str, int] = {}
    for block in blocks:
        if block.header is None or _unusable_empty_block(block, ("cost",), notes):
            continue
        header = _header("PROJECTS", block.header_line, block.header, notes)
        if "cost" not in header:
            raise PabulibError(f"PROJECTS line {block.header_line}: header has no 'cost' column")
        if "project_id" in header:
            id_col = header.index("project_id")
            if id_col != 0:
                notes.add("projects-id-not-first", "PROJECTS", block.header_line,
                          "'project_id' is not the first column (pabutools names projects by the first column)")
        else:
            id_col = 0
            notes.add("projects-no-id-column", "PROJECTS", block.header_line,
                      f"header has no 'project_id' column; the first column {header[0]!r} names the projects "
                      "(as pabutools does)")
        cost_col = header.index("cost")
        if cost_col == id_col:
            raise PabulibError(f"PROJECTS line {block.header_line}: header has no 'project_id' column")
        others = [(position, name) for position, name in enumerate(header) if position not in (id_col, cost_col)]
        columns.update((name, None) for _, name in others)
        width = len(header)
        for line, raw in block.rows:
            if all(not cell.strip() for cell in raw):
                notes.add("blank-row", "PROJECTS", line, "a row of empty fields is ignored")
                continue
            row = _fit("PROJECTS", line, raw, width, header, notes)
            project_id = row[id_col].strip()
            if not project_id:
                notes.add("project-empty-id", "PROJECTS", line, "field 'project_id' is empty; the project is "
                          "kept (as pabutools does) but no vote can name it")
            elif "," in project_id:
                notes.add("project-id-comma", "PROJECTS", line,
                          f"field 'project_id': {project_id!r} contains a comma; the project is kept (as pabutools "
                          "does) but no vote can name it")
            if project_id in index:
                notes.add("project-repeated", "PROJECTS", line,
                          f"field 'project_id': {project_id!r} appears again (first on line "
                          f"{first_line[project_id]}); this row is ignored, the first one counts (as pabutools does)")
                continue
            cost = _number("PROJECTS", line, "cost", row[cost_col], notes)
            index[project_id], first_line[project_id] = len(projects), line
            projects.append(Project(project_id, cost, {name: row[position].strip() for position, name in others}))
    names = list(columns)
    if len(blocks) > 1:  # a column of one block only is empty in the others
        projects = [Project(p.id, p.cost, {name: p.fields.get(name, "") for name in names}) for p in projects]
    return projects, names


def _read_votes(blocks: list[_Block], vote_type: VoteType, project_index: dict[str, int], notes: _Notes) -> Ballots:
    label = "VOTES"
    raw_ids: list[tuple[int, str]] = []
    flat_projects: list[int] = []
    flat_points: list[Fraction | int] = []
    offsets: list[int] = [0]
    fields: dict[str, list[str]] = {}  # the other columns of every block, in order of appearance
    any_id_column = False
    for block in blocks:
        if block.header is None or _unusable_empty_block(block, ("vote",), notes):
            continue
        header_line = block.header_line
        header = _header(label, header_line, block.header, notes)
        if "vote" not in header and (not vote_type.has_points or "points" in header):
            raise PabulibError(f"VOTES line {header_line}: header has no 'vote' column")
        # Neither 'vote' nor 'points' in a cumulative file: pabutools reads every ballot as empty.
        vote_col = header.index("vote") if "vote" in header else -1
        id_col = header.index("voter_id") if "voter_id" in header else -1
        any_id_column |= id_col >= 0
        if id_col < 0:
            notes.add("votes-no-id-column", label, header_line,
                      "header has no 'voter_id' column; voters are named after their line")
        points_col = -1
        if vote_type.has_points:
            if "points" in header:
                points_col = header.index("points")
            else:
                notes.add("votes-no-points-column", label, header_line,
                          f"header has no 'points' column: every {vote_type.value} ballot is read as empty "
                          "(as pabutools does)")
        elif "points" in header:
            what = "the ranking is the order of" if vote_type == VoteType.ORDINAL else "the ballot is"
            notes.add("votes-points-unused", label, header_line,
                      f"this {vote_type.value} file has a 'points' column; it is kept as voter data and not counted "
                      f"({what} 'vote', as pabutools reads it)")
        skip = {vote_col, id_col, points_col}
        other_columns = [(position, name) for position, name in enumerate(header) if position not in skip]
        for _, name in other_columns:
            fields.setdefault(name, [""] * len(raw_ids))
        block_names = {name for _, name in other_columns}
        absent = [values for name, values in fields.items() if name not in block_names]
        targets = [(position, fields[name]) for position, name in other_columns]
        width = len(header)
        for line, raw in block.rows:
            row = raw if len(raw) == width else _fit(label, line, raw, width, header, notes)
            raw_ids.append((line, row[id_col].strip() if id_col >= 0 else ""))
            if vote_type.has_points:
                # A row too short to hold points has none: pabutools reads the ballot as empty.
                points_text = row[points_col] if 0 <= points_col < len(raw) else None
                vote_text = row[vote_col] if vote_col >= 0 else ""
                chosen, points = _cardinal_vote(line, vote_text, points_text, project_index, vote_type, notes)
                flat_points.extend(points)
            else:
                chosen = _vote(line, row[vote_col], project_index, notes)
                if vote_type == VoteType.CHOOSE_1 and len(chosen) > 1:
                    notes.add("choose-1-several", label, line,
                              f"field 'vote': a choose-1 ballot names {len(chosen)} projects; read as approval of "
                              "all of them (as pabutools does)")
            flat_projects.extend(chosen)
            offsets.append(len(flat_projects))
            for position, values in targets:
                values.append(row[position].strip())
            for values in absent:
                values.append("")

    points_array: IntArray | None = None
    scale = 1
    if vote_type.has_points:
        def value_line(index: int) -> int:
            return raw_ids[bisect.bisect_right(offsets, index) - 1][0]

        points_array, scale = _scaled(flat_points, value_line)
    return Ballots(
        offsets=np.asarray(offsets, dtype=np.int64),
        projects=np.asarray(flat_projects, dtype=np.int64),
        voter_ids=_unique_voter_ids(raw_ids, any_id_column, notes),
        points=points_array,
        points_scale=scale,
        voter_columns=tuple(fields),
        voter_fields={name: tuple(values) for name, values in fields.items()},
    )


def _unique_voter_ids(raw_ids: list[tuple[int, str]], has_column: bool, notes: _Notes) -> tuple[str, ...]:
    """Voter ids as written; an empty or repeated one (pabutools keeps both ballots) gets a new name."""
    taken = {voter_id for _, voter_id in raw_ids if voter_id}
    if len(taken) == len(raw_ids):
        return tuple(voter_id for _, voter_id in raw_ids)
    first_line: dict[str, int] = {}
    result: list[str] = []
    for line, voter_id in raw_ids:
        if voter_id and voter_id not in first_line:
            first_line[voter_id] = line
            result.append(voter_id)
            continue
        base = f"{voter_id}__" if voter_id else "line_"
        number = 2 if voter_id else line
        while f"{base}{number}" in taken:
            number += 1
        name = f"{base}{number}"
        taken.add(name)
        result.append(name)
        if voter_id:
            notes.add("voter-repeated", "VOTES", line,
                      f"field 'voter_id': {voter_id!r} appears again (first on line {first_line[voter_id]}); both "
                      f"ballots count (as pabutools does), this one as {name!r}")
        elif has_column:
            notes.add("voter-empty-id", "VOTES", line, f"field 'voter_id' is empty; the voter is called {name!r}")
    return tuple(result)


def _meta_vote_type(meta: dict[str, str], meta_lines: dict[str, int]) -> VoteType:
    if "vote_type" not in meta:
        raise PabulibError("META: field 'vote_type' is missing")
    try:
        return VoteType(meta["vote_type"].lower())
    except ValueError:
        known = ", ".join(kind.value for kind in VoteType)
        raise PabulibError(
            f"META line {meta_lines['vote_type']}: field 'vote_type': {meta['vote_type']!r} is not one of {known}"
        ) from None


def _check_count(meta: dict[str, str], meta_lines: dict[str, int], key: str, actual: int, notes: _Notes) -> None:
    """Pabulib requires both counts; a missing or wrong one (pabutools ignores them) is set to the real count."""
    text = meta.get(key)
    if text is None:
        # Silent: an absent count is not an irregularity of meaning, and what we write has it.
        meta[key] = str(actual)
        return
    if not text.isdigit() or int(text) != actual:
        section = "PROJECTS" if key == "num_projects" else "VOTES"
        notes.add("meta-wrong-count", "META", meta_lines[key],
                  f"field {key!r}: says {text!r} but {section} has {actual} rows; set to {actual}")
        meta[key] = str(actual)


def _items(line: int, text: str, notes: _Notes) -> list[str]:
    """The project ids of a 'vote' field; empty items are skipped as pabutools does."""
    text = text.strip()
    if not text or text.lower() == "none":
        return []
    items = [item.strip() for item in text.split(",")]
    if "" in items:
        notes.add("vote-empty-item", "VOTES", line, f"field 'vote': {text!r} has an empty item, skipped")
        items = [item for item in items if item]
    return items


def _position(line: int, project_id: str, project_index: dict[str, int]) -> int:
    position = project_index.get(project_id)
    if position is None:
        raise PabulibError(f"VOTES line {line}: field 'vote': unknown project {project_id!r}")
    return position


def _vote(line: int, text: str, project_index: dict[str, int], notes: _Notes) -> list[int]:
    chosen: list[int] = []
    seen: set[int] = set()
    for project_id in _items(line, text, notes):
        position = _position(line, project_id, project_index)
        if position in seen:
            # An approval ballot is a set, a ranking keeps a project's first place (pabutools' OrdinalBallot).
            notes.add("vote-repeated-project", "VOTES", line,
                      f"field 'vote': project {project_id!r} appears twice; counted once, at its first place "
                      "(as pabutools does)")
            continue
        seen.add(position)
        chosen.append(position)
    return chosen


def _cardinal_vote(line: int, vote: str, points_text: str | None, project_index: dict[str, int],
                   vote_type: VoteType, notes: _Notes) -> tuple[list[int], list[Fraction | int]]:
    """Projects and their points; like pabutools, a project named twice keeps its first place and its last points."""
    vote = vote.strip()
    if points_text is None or points_text.strip().lower() == "none":
        if vote and vote.lower() != "none":
            what = "missing" if points_text is None else repr(points_text.strip())
            notes.add("votes-no-points", "VOTES", line,
                      f"field 'points' is {what}: the ballot is read as empty (as pabutools does)")
        return [], []
    points_text = points_text.strip()
    if not vote or vote.lower() == "none":
        items: list[str] = []
    else:
        items = [item.strip() for item in vote.split(",")]
        if "" in items:
            raise PabulibError(f"VOTES line {line}: field 'vote': {vote!r} contains an empty project id")
    values = points_text.split(",") if points_text else []
    if len(values) < len(items):
        raise PabulibError(
            f"VOTES line {line}: field 'points': {len(values)} values for {len(items)} projects in 'vote'"
        )
    if len(values) > len(items):
        notes.add("points-extra", "VOTES", line,
                  f"field 'points': {len(values)} values for {len(items)} projects in 'vote'; the last "
                  f"{len(values) - len(items)} are ignored (as pabutools does)")
    negative_ok = vote_type == VoteType.SCORING
    chosen: list[int] = []
    points: list[Fraction | int] = []
    where: dict[int, int] = {}
    for project_id, item in zip(items, values, strict=False):
        position = _position(line, project_id, project_index)
        # Nearly all points are small whole numbers: skip the general (slower) exact parser for them.
        stripped = item.strip()
        value: Fraction | int = (
            int(stripped) if stripped.isdigit() else _number("VOTES", line, "points", item, notes, negative=negative_ok)
        )
        if position in where:
            notes.add("vote-repeated-project", "VOTES", line,
                      f"field 'vote': project {project_id!r} appears twice; counted once with its last points "
                      f"{stripped!r} (as pabutools does)")
            points[where[position]] = value
            continue
        where[position] = len(chosen)
        chosen.append(position)
        points.append(value)
    return chosen, points


_POINTS_LIMIT = 2**62


def _scaled(values: list[Fraction | int], value_lines: Callable[[int], int] | None = None) -> tuple[IntArray, int]:
    """Exact points as int64 numerators over one common denominator.

    ``value_lines`` gives the file line of the value at an index, to name it when it cannot be kept.
    """
    scale = 1
    for value in values:
        if isinstance(value, Fraction):
            scale = math.lcm(scale, value.denominator)
    scaled = [int(value * scale) for value in values]
    if scale > _POINTS_LIMIT or any(abs(value) > _POINTS_LIMIT for value in scaled):
        # The first value that makes the common scale, or its own size, too large.
        running, first = 1, len(values) - 1
        for position, value in enumerate(values):
            if isinstance(value, Fraction):
                running = math.lcm(running, value.denominator)
            if running > _POINTS_LIMIT or abs(Fraction(value)) * running > _POINTS_LIMIT:
                first = position
                break
        where = f"VOTES line {value_lines(first)}" if value_lines else "VOTES"
        raise PabulibError(f"{where}: field 'points': {format_number(values[first])[:40]!r} is too large or too "
                           "precise, with the other points, to be represented exactly")
    return np.asarray(scaled, dtype=np.int64), scale


def parse_pabulib(path: str | Path) -> Instance:
    """Parse a ``.pb`` file (UTF-8, with or without BOM), or an xz-compressed ``.pb.xz``."""
    data = Path(path).read_bytes()
    if str(path).endswith(".xz"):
        try:
            data = lzma.decompress(data)
        except lzma.LZMAError as error:
            raise PabulibError(f"file is not valid xz data ({error})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PabulibError(f"file is not UTF-8 text (byte {error.start})") from None
    return parse_pabulib_text(text)


# --------------------------------------------------------------------------------------- writing


def _meta_for_writing(instance: Instance) -> dict[str, str]:
    """META as stored, with the entries the data determine brought in line with the data.

    A stored value is kept verbatim when it already means the same (``8000000.0`` stays), so that
    parse -> write -> parse returns an equal instance.
    """
    meta = dict(instance.meta)

    def keep_or(key: str, value: str, same: bool) -> None:
        if key not in meta or not same:
            meta[key] = value

    def same_number(key: str, value: Fraction) -> bool:
        try:
            return parse_number(meta[key]) == value
        except (KeyError, ValueError):
            return False

    keep_or("num_projects", str(len(instance.projects)), meta.get("num_projects") == str(len(instance.projects)))
    keep_or("num_votes", str(instance.num_voters), meta.get("num_votes") == str(instance.num_voters))
    keep_or("budget", format_number(instance.budget), same_number("budget", instance.budget))
    keep_or("vote_type", instance.vote_type.value, meta.get("vote_type", "").lower() == instance.vote_type.value)
    return meta


def write_pabulib_text(instance: Instance) -> str:
    """Serialise an instance; :func:`parse_pabulib_text` of the result equals ``instance``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in _meta_for_writing(instance).items():
        writer.writerow([key, value])

    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", *instance.project_columns])
    for project in instance.projects:
        # Strict when writing: what the reader accepts with a warning is never written.
        if not project.id or "," in project.id or project.id.strip() != project.id:
            raise PabulibError(f"PROJECTS: project id {project.id!r} cannot be written (empty, a comma or "
                               "surrounding spaces)")
        extra = set(project.fields) - set(instance.project_columns)
        if extra:
            raise PabulibError(f"PROJECTS: project {project.id!r} has fields not in project_columns: {sorted(extra)}")
        extra_values = (project.fields.get(name, "") for name in instance.project_columns)
        writer.writerow([project.id, format_number(project.cost), *extra_values])

    ballots = instance.ballots
    has_points = instance.vote_type.has_points
    writer.writerow(["VOTES"])
    writer.writerow(["voter_id", "vote", *(["points"] if has_points else []), *ballots.voter_columns])
    ids = [project.id for project in instance.projects]
    columns = [ballots.voter_fields[name] for name in ballots.voter_columns]
    if len(set(ballots.voter_ids)) != len(ballots.voter_ids) or not all(ballots.voter_ids):
        raise PabulibError("VOTES: voter ids must be unique and not empty")
    if instance.vote_type == VoteType.CHOOSE_1 and len(ballots.projects) and ballots.lengths().max() > 1:
        raise PabulibError("VOTES: a choose-1 ballot names several projects; write the election as approval")
    for voter, voter_id in enumerate(ballots.voter_ids):
        start, end = int(ballots.offsets[voter]), int(ballots.offsets[voter + 1])
        row = [voter_id, ",".join(ids[int(p)] for p in ballots.projects[start:end])]
        if has_points:
            assert ballots.points is not None
            row.append(
                ",".join(format_number(Fraction(int(v), ballots.points_scale)) for v in ballots.points[start:end])
            )
        row.extend(column[voter] for column in columns)
        writer.writerow(row)
    return out.getvalue()


def write_pabulib(instance: Instance, path: str | Path) -> None:
    Path(path).write_text(write_pabulib_text(instance), encoding="utf-8")


def make_instance(
    budget: Fraction | int,
    costs: Mapping[str, Fraction | int],
    votes: Iterable[Sequence[str] | Mapping[str, Fraction | int]],
    vote_type: VoteType = VoteType.APPROVAL,
    meta: Mapping[str, str] | None = None,
) -> Instance:
    """Build an instance in code (tests, synthetic benchmarks) by way of the real parser.

    ``votes`` are lists of project ids (approval, choose-1, ordinal best first) or mappings
    id -> points (cumulative, scoring).
    """
    ballots = list(votes)
    lines = ["META", "key;value", f"budget;{format_number(Fraction(budget))}", f"vote_type;{vote_type.value}",
             f"num_projects;{len(costs)}", f"num_votes;{len(ballots)}"]
    meta_rows = io.StringIO()
    meta_writer = csv.writer(meta_rows, delimiter=";", lineterminator="\n")
    for key, value in (meta or {}).items():
        if key not in ("budget", "vote_type", "num_projects", "num_votes"):
            meta_writer.writerow([key, value])
    lines.append(meta_rows.getvalue().rstrip("\n"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost"])
    for project_id, cost in costs.items():
        writer.writerow([project_id, format_number(Fraction(cost))])
    writer.writerow(["VOTES"])
    writer.writerow(["voter_id", "vote", "points"] if vote_type.has_points else ["voter_id", "vote"])
    for number, vote in enumerate(ballots):
        if isinstance(vote, Mapping):
            items = list(vote.items())
            row = [str(number), ",".join(p for p, _ in items)]
            if vote_type.has_points:
                row.append(",".join(format_number(Fraction(v)) for _, v in items))
        else:
            row = [str(number), ",".join(vote)]
            if vote_type.has_points:
                row.append(",".join("1" for _ in vote))
        writer.writerow(row)
    return parse_pabulib_text("\n".join(lines) + "\n" + buffer.getvalue())
