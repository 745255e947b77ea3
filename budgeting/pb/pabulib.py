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

import csv
import io
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
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


class _Rows:
    """csv rows with the physical line number where each row starts, blank rows skipped."""

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
            if not row or all(not cell.strip() for cell in row):
                continue
            if self._reader.line_num > start and self._swallowed(row):
                raise PabulibError(f"line {start}: a quote opened here is never closed")
            yield start, row

    def _swallowed(self, row: list[str]) -> bool:
        """A multi-line record that reaches the end of the file or contains a section header."""
        if self._reader.line_num >= self._total_lines and any("\n" in cell for cell in row):
            return True
        return any(f"\n{name}" in cell.lower() for cell in row for name in SECTIONS)


def _section_of(row: list[str]) -> str | None:
    first = row[0].strip().lower()
    if first in SECTIONS and all(not cell.strip() for cell in row[1:]):
        return first
    return None


def _number(section: str, line: int, name: str, text: str, *, negative: bool = False) -> Fraction:
    try:
        value = parse_number(text)
    except ValueError:
        raise PabulibError(f"{section} line {line}: field {name!r}: {text.strip()!r} is not a number") from None
    if value < 0 and not negative:
        raise PabulibError(f"{section} line {line}: field {name!r}: {text.strip()!r} must not be negative")
    return value


def _header(section: str, line: int, row: list[str], required: Sequence[str]) -> list[str]:
    names = [cell.strip() for cell in row]
    for name in required:
        if name not in names:
            raise PabulibError(f"{section} line {line}: header has no {name!r} column")
    seen: set[str] = set()
    for name in names:
        if not name:
            raise PabulibError(f"{section} line {line}: header has an empty column name")
        if name in seen:
            raise PabulibError(f"{section} line {line}: header repeats column {name!r}")
        seen.add(name)
    return names


def _check_width(section: str, line: int, row: list[str], header: list[str]) -> None:
    if len(row) != len(header):
        raise PabulibError(f"{section} line {line}: expected {len(header)} fields ({';'.join(header)}), got {len(row)}")


def parse_pabulib_text(text: str) -> Instance:
    """Parse the content of a ``.pb`` file."""
    if text.startswith("\ufeff"):
        text = text[1:]
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    section: str | None = None
    header: list[str] | None = None
    seen_sections: list[str] = []

    projects: list[Project] = []
    project_columns: list[str] = []
    project_index: dict[str, int] = {}

    vote_type: VoteType | None = None
    voter_ids: list[str] = []
    seen_voters: set[str] = set()
    flat_projects: list[int] = []
    flat_points: list[Fraction | int] = []
    offsets: list[int] = [0]
    voter_columns: list[str] = []
    voter_values: list[list[str]] = []
    vote_col = points_col = id_col = -1

    for line, row in _Rows(text):
        new_section = _section_of(row)
        if new_section is not None:
            expected = SECTIONS[len(seen_sections)] if len(seen_sections) < len(SECTIONS) else None
            if new_section != expected:
                raise PabulibError(
                    f"{new_section.upper()} line {line}: sections must come in the order META, PROJECTS, VOTES "
                    f"(each once)"
                )
            seen_sections.append(new_section)
            section, header = new_section, None
            if section == "projects":
                vote_type = _meta_vote_type(meta, meta_lines)
            elif section == "votes" and vote_type is None:  # pragma: no cover - guarded by the order check
                raise PabulibError("VOTES: no PROJECTS section before it")
            continue
        if section is None:
            raise PabulibError(f"line {line}: data before the META section")
        label = section.upper()
        if header is None:
            if section == "meta":
                header = [cell.strip() for cell in row]
            elif section == "projects":
                header = _header(label, line, row, ("project_id", "cost"))
                project_columns = [name for name in header if name not in ("project_id", "cost")]
            else:
                assert vote_type is not None
                required = ("voter_id", "vote", "points") if vote_type.has_points else ("voter_id", "vote")
                header = _header(label, line, row, required)
                id_col, vote_col = header.index("voter_id"), header.index("vote")
                points_col = header.index("points") if vote_type.has_points else -1
                voter_columns = [name for name in header if name not in ("voter_id", "vote", "points")]
                voter_values = [[] for _ in voter_columns]
            continue

        if section == "meta":
            if len(row) != 2:
                raise PabulibError(f"META line {line}: expected 2 fields (key;value), got {len(row)}")
            key, value = row[0].strip(), row[1].strip()
            if not key:
                raise PabulibError(f"META line {line}: empty key")
            if key in meta:
                raise PabulibError(f"META line {line}: key {key!r} appears twice")
            meta[key], meta_lines[key] = value, line
        elif section == "projects":
            _check_width(label, line, row, header)
            values = dict(zip(header, (cell.strip() for cell in row), strict=True))
            project_id = values.pop("project_id")
            if not project_id:
                raise PabulibError(f"PROJECTS line {line}: field 'project_id' is empty")
            if project_id in project_index:
                raise PabulibError(f"PROJECTS line {line}: field 'project_id': {project_id!r} appears twice")
            cost = _number(label, line, "cost", values.pop("cost"))
            project_index[project_id] = len(projects)
            projects.append(Project(project_id, cost, values))
        else:
            assert vote_type is not None
            _check_width(label, line, row, header)
            voter_id = row[id_col].strip()
            if not voter_id:
                raise PabulibError(f"VOTES line {line}: field 'voter_id' is empty")
            if voter_id in seen_voters:
                raise PabulibError(f"VOTES line {line}: field 'voter_id': {voter_id!r} appears twice")
            seen_voters.add(voter_id)
            chosen = _vote(line, row[vote_col], project_index)
            if vote_type.has_points:
                flat_points.extend(_points(line, row[points_col], len(chosen), vote_type))
            elif vote_type == VoteType.CHOOSE_1 and len(chosen) > 1:
                raise PabulibError(f"VOTES line {line}: field 'vote': a choose-1 ballot names {len(chosen)} projects")
            flat_projects.extend(chosen)
            offsets.append(len(flat_projects))
            voter_ids.append(voter_id)
            position = 0
            for column, cell in enumerate(row):
                if column in (id_col, vote_col, points_col):
                    continue
                voter_values[position].append(cell.strip())
                position += 1

    if "votes" not in seen_sections:
        missing = [name.upper() for name in SECTIONS if name not in seen_sections]
        raise PabulibError(f"file has no {', '.join(missing)} section{'s' if len(missing) > 1 else ''}")
    assert vote_type is not None
    if header is None and seen_sections[-1] == "votes":
        raise PabulibError("VOTES: the section has no header line (voter_id;vote;...)")

    budget = _number("META", meta_lines["budget"], "budget", meta["budget"]) if "budget" in meta else None
    if budget is None:
        raise PabulibError("META: field 'budget' is missing")
    _check_count(meta, meta_lines, "num_projects", len(projects))
    _check_count(meta, meta_lines, "num_votes", len(voter_ids))
    # Pabulib requires both counts; a file without them gets them, so that what we write (always
    # with them) reads back as the same instance.
    meta.setdefault("num_projects", str(len(projects)))
    meta.setdefault("num_votes", str(len(voter_ids)))

    points_array: IntArray | None = None
    scale = 1
    if vote_type.has_points:
        points_array, scale = _scaled(flat_points)
    ballots = Ballots(
        offsets=np.asarray(offsets, dtype=np.int64),
        projects=np.asarray(flat_projects, dtype=np.int64),
        voter_ids=tuple(voter_ids),
        points=points_array,
        points_scale=scale,
        voter_columns=tuple(voter_columns),
        voter_fields={name: tuple(values) for name, values in zip(voter_columns, voter_values, strict=True)},
    )
    return Instance(
        meta=meta,
        vote_type=vote_type,
        budget=budget,
        projects=tuple(projects),
        ballots=ballots,
        project_columns=tuple(project_columns),
    )


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


def _check_count(meta: dict[str, str], meta_lines: dict[str, int], key: str, actual: int) -> None:
    if key not in meta:
        return
    text = meta[key]
    if not text.isdigit() or int(text) != actual:
        section = "PROJECTS" if key == "num_projects" else "VOTES"
        raise PabulibError(f"META line {meta_lines[key]}: field {key!r}: says {text!r} but {section} has {actual} rows")


def _vote(line: int, text: str, project_index: dict[str, int]) -> list[int]:
    text = text.strip()
    if not text or text.lower() == "none":
        return []
    chosen: list[int] = []
    seen: set[int] = set()
    for item in text.split(","):
        project_id = item.strip()
        if not project_id:
            raise PabulibError(f"VOTES line {line}: field 'vote': {text!r} contains an empty project id")
        position = project_index.get(project_id)
        if position is None:
            raise PabulibError(f"VOTES line {line}: field 'vote': unknown project {project_id!r}")
        if position in seen:
            raise PabulibError(f"VOTES line {line}: field 'vote': project {project_id!r} appears twice")
        seen.add(position)
        chosen.append(position)
    return chosen


def _points(line: int, text: str, expected: int, vote_type: VoteType) -> list[Fraction | int]:
    text = text.strip()
    if expected == 0 and (not text or text.lower() == "none"):
        return []
    items = text.split(",") if text else []
    if len(items) != expected:
        raise PabulibError(f"VOTES line {line}: field 'points': {len(items)} values for {expected} projects in 'vote'")
    negative_ok = vote_type == VoteType.SCORING
    values: list[Fraction | int] = []
    for item in items:
        # Nearly all points are small whole numbers: skip the general (slower) exact parser for them.
        stripped = item.strip()
        if stripped.isdigit():
            values.append(int(stripped))
        else:
            values.append(_number("VOTES", line, "points", item, negative=negative_ok))
    return values


def _scaled(values: list[Fraction | int]) -> tuple[IntArray, int]:
    """Exact points as int64 numerators over one common denominator."""
    scale = 1
    for value in values:
        if isinstance(value, Fraction):
            scale = math.lcm(scale, value.denominator)
    limit = 2**62
    scaled = [int(value * scale) for value in values]
    if scale > limit or any(abs(value) > limit for value in scaled):
        raise PabulibError("VOTES: field 'points': values are too large or too precise to be represented exactly")
    return np.asarray(scaled, dtype=np.int64), scale


def parse_pabulib(path: str | Path) -> Instance:
    """Parse a ``.pb`` file (UTF-8, with or without BOM)."""
    data = Path(path).read_bytes()
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
