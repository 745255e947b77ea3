"""budgeting.pb.pabulib: reading and writing Pabulib files, including hostile ones."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgeting.pb.numbers import format_number, parse_number
from budgeting.pb.pabulib import (
    UNWRITABLE,
    Instance,
    PabulibError,
    VoteType,
    make_instance,
    parse_pabulib,
    parse_pabulib_text,
    write_pabulib,
    write_pabulib_text,
)
from tests.budgeting.make_golden import PABULIB_FILE_COUNT, pabulib_files, pabulib_name, read_pabulib_text

FILES = pabulib_files()
SMALL = '''META
key;value
description;Test
budget;1000.5
vote_type;approval
num_projects;3
num_votes;3
PROJECTS
project_id;cost;name
1;500;"Park; with ""quotes"""
2;300.25;Bench
10;999999999;Pool
VOTES
voter_id;vote;age
a;1,2;30
b;10;41
c;;
'''


def test_the_pabulib_files_are_in_the_repository() -> None:
    assert len(FILES) == PABULIB_FILE_COUNT, "tests/data/pabulib holds the 14 Pabulib files"


@pytest.mark.parametrize("path", FILES, ids=[pabulib_name(p) for p in FILES])
def test_real_files_parse_and_round_trip(path: Path, tmp_path: Path) -> None:
    instance = parse_pabulib_text(read_pabulib_text(path))
    assert len(instance.projects) == int(instance.meta["num_projects"])
    assert instance.num_voters == int(instance.meta["num_votes"])
    assert instance.budget == parse_number(instance.meta["budget"])
    written = tmp_path / pabulib_name(path)
    write_pabulib(instance, written)
    assert parse_pabulib(written) == instance


def test_small_file_fields() -> None:
    instance = parse_pabulib_text(SMALL)
    assert instance.vote_type == VoteType.APPROVAL
    assert instance.budget == Fraction(2001, 2)
    assert [p.id for p in instance.projects] == ["1", "2", "10"]
    assert instance.projects[0].name == 'Park; with "quotes"'
    assert instance.projects[1].cost == Fraction(1201, 4)
    assert instance.ballots.ballot(0).tolist() == [0, 1]
    assert instance.ballots.ballot(2).tolist() == []
    assert instance.ballots.voter_fields["age"] == ("30", "41", "")
    assert parse_pabulib_text(write_pabulib_text(instance)) == instance


def test_bom_blank_lines_and_decimal_comma_are_accepted() -> None:
    text = "\ufeff" + SMALL.replace("budget;1000.5", "budget;1000,5").replace("PROJECTS", "\n\nPROJECTS")
    assert parse_pabulib_text(text).budget == Fraction(2001, 2)


def test_cumulative_and_ordinal_ballots() -> None:
    cumulative = make_instance(10, {"a": 4, "b": 6}, [{"a": 2, "b": Fraction(1, 2)}, {"b": 3}], VoteType.CUMULATIVE)
    assert cumulative.ballots.points_of(0) == [2, Fraction(1, 2)]
    assert parse_pabulib_text(write_pabulib_text(cumulative)) == cumulative
    ordinal = make_instance(10, {"a": 4, "b": 6, "c": 1}, [["c", "a", "b"], ["b"]], VoteType.ORDINAL)
    assert ordinal.ballots.ballot(0).tolist() == [2, 0, 1]


def test_choose_one_is_read_as_approval_of_one() -> None:
    choose_one = SMALL.replace("vote_type;approval", "vote_type;choose-1")
    instance = parse_pabulib_text(choose_one.replace("a;1,2;30", "a;1;30"))
    assert instance.vote_type.is_approval
    several = parse_pabulib_text(SMALL.replace("vote_type;approval", "vote_type;choose-1"))
    assert several.ballots.ballot(0).tolist() == [0, 1]  # pabutools reads it as an approval ballot too
    assert [str(w) for w in several.warnings] == [
        "VOTES line 15: field 'vote': a choose-1 ballot names 2 projects; read as approval of all of them "
        "(as pabutools does)"
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("500;", "abc;"), r"^PROJECTS line 10: field 'cost': 'abc' is not a number$"),
        (("500;", "-5;"), r"^PROJECTS line 10: field 'cost': '-5' must not be negative$"),
        (("500;", "nan;"), r"field 'cost': 'nan' is not a number"),
        (("budget;1000.5", "budget;lots"), r"^META line 4: field 'budget': 'lots' is not a number$"),
        (("budget;1000.5\n", ""), r"META: field 'budget' is missing"),
        (("vote_type;approval", "vote_type;plurality"), r"META line 5: field 'vote_type': 'plurality' is not one of"),
        (("vote_type;approval\n", ""), r"META: field 'vote_type' is missing"),
        (("a;1,2;30", "a;1,7;30"), r"^VOTES line 15: field 'vote': unknown project '7'$"),
        (("project_id;cost;name", "project_id;price;name"), r"PROJECTS line 9: header has no 'cost' column"),
        (("VOTES\n", "PROJECTS\n"), r"^PROJECTS line 14: header has no 'cost' column$"),
        (("a;1,2;30", "a;1,2;30;x"), r"^VOTES line 15: expected 3 fields \(voter_id;vote;age\), got 4$"),
        (("voter_id;vote;age", "voter_id;ballot;age"), r"VOTES line 14: header has no 'vote' column"),
        (("META\nkey;value\n", ""), r"file has no META section"),
        (('"Park; with ""quotes"""', '"Park; never closed'), r"line 10: a quote opened here is never closed"),
    ],
)
def test_malformed_files_name_section_line_and_field(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in SMALL
    with pytest.raises(PabulibError, match=message):
        parse_pabulib_text(SMALL.replace(old, new, 1))


@pytest.mark.parametrize(
    ("vote", "points", "message"),
    [
        ("a,b", "1", r"VOTES line 13: field 'points': 1 values for 2 projects in 'vote'"),
        ("a,b", "1,x", r"VOTES line 13: field 'points': 'x' is not a number"),
        ("a,b", "1,-2", r"VOTES line 13: field 'points': '-2' must not be negative"),
    ],
)
def test_malformed_points(vote: str, points: str, message: str) -> None:
    text = (
        "META\nkey;value\nbudget;10\nvote_type;cumulative\nPROJECTS\nproject_id;cost\na;4\nb;6\n"
        f"VOTES\nvoter_id;vote;points\n1;a;3\n2;b;2\n3;{vote};{points}\n"
    )
    with pytest.raises(PabulibError, match=message):
        parse_pabulib_text(text)


def test_binary_and_non_utf8_files(tmp_path: Path) -> None:
    path = tmp_path / "latin1.pb"
    path.write_bytes(SMALL.replace("Bench", "Bänk").encode("latin-1"))
    with pytest.raises(PabulibError, match="not UTF-8"):
        parse_pabulib(path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("META;PROJECTSVOT\n\",0123456789.-abc\ufeff")), max_size=300))
def test_garbage_raises_only_pabulib_error(text: str) -> None:
    with contextlib.suppress(PabulibError):
        parse_pabulib_text(text)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_mutated_real_lines_raise_only_pabulib_error(data: st.DataObject) -> None:
    lines = SMALL.splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    replacement = data.draw(st.text(alphabet=st.sampled_from(list(';,"\n 0123456789abc.-')), max_size=30))
    lines[index] = replacement
    try:
        instance = parse_pabulib_text("\n".join(lines) + "\n")
    except PabulibError:
        return
    try:
        written = write_pabulib_text(instance)
    except PabulibError:  # strict when writing: a project without an id is read, never written
        assert UNWRITABLE & {warning.kind for warning in instance.warnings}
        return
    assert parse_pabulib_text(written) == instance


# ----------------------------------------------------------------------------------- round trip

ids = st.sampled_from(["1", "2", "9", "10", "a", "b;c", 'q"x', "L001", "ż"])
amounts = st.one_of(
    st.integers(0, 10**9).map(Fraction),
    st.fractions(min_value=0, max_value=10**6, max_denominator=1000),
)


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    vote_type = draw(st.sampled_from(list(VoteType)))
    project_ids = draw(st.lists(ids, min_size=1, max_size=6, unique=True))
    costs = {p: draw(amounts) for p in project_ids}
    voters = draw(st.integers(0, 6))
    votes: list[Sequence[str] | Mapping[str, Fraction | int]] = []
    for _ in range(voters):
        chosen = draw(st.lists(st.sampled_from(project_ids), unique=True, max_size=len(project_ids)))
        if vote_type == VoteType.CHOOSE_1:
            chosen = chosen[:1]
        if vote_type.has_points:
            votes.append({p: draw(st.fractions(min_value=0, max_value=100, max_denominator=4)) for p in chosen})
        else:
            votes.append(chosen)
    meta = {"description": draw(st.text(alphabet=st.sampled_from(list('ab;" ,ăî')), max_size=8)).strip() or "x"}
    return make_instance(draw(amounts), costs, votes, vote_type, meta)


@settings(max_examples=150, deadline=None)
@given(instances())
def test_round_trip_of_generated_instances(instance: Instance) -> None:
    again = parse_pabulib_text(write_pabulib_text(instance))
    assert again == instance
    assert parse_pabulib_text(write_pabulib_text(again)) == instance


@given(amounts)
def test_numbers_are_written_exactly(value: Fraction) -> None:
    assert parse_number(format_number(value)) == value
