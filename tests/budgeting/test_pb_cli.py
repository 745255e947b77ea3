"""`manage.py pb_outcome` and `python -m budgeting.pb`: real files in, ids or one clean line out, never a traceback.

Run as whole commands (subprocesses), the way a user runs them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PABULIB = REPO / "tests" / "data" / "pabulib"

# Warsaw-style: a ranking with the city's points per rank, and a project named twice in one vote
# (Warszawa 2026 Tarchomin) — both read by pabutools.
ORDINAL_WITH_POINTS = """META
key;value
budget;1000
vote_type;ordinal
num_projects;3
num_votes;3
PROJECTS
project_id;cost
15;500
23;300
33;400
VOTES
voter_id;vote;points;voting_method
E1168024;23,33,15;3,2,1;internet
E1168025;15,15;3,3;paper
E1168026;23;3;paper
"""


def manage(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, capture_output=True, text=True,
                          check=False, env=env or {**os.environ})


@pytest.fixture
def without_django() -> dict[str, str]:
    """An environment where starting Django fails: the command must not need it."""
    return {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "no_such_settings_module"}


def test_pb_outcome_runs_before_django_starts(without_django: dict[str, str]) -> None:
    result = manage("pb_outcome", str(PABULIB / "Netherlands_Assen_2024.pb"), "--rule", "mes-add1",
                    "--verbosity", "1", env=without_django)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()  # ids, one per line
    assert result.stderr == ""


def test_pb_outcome_reads_compressed_files(without_django: dict[str, str]) -> None:
    result = manage("pb_outcome", str(PABULIB / "Poland_Lodz_2024.pb.xz"), "--rule", "greedy", env=without_django)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.split()) > 10


def test_irregular_file_gives_the_outcome_and_its_warnings(tmp_path: Path, without_django: dict[str, str]) -> None:
    path = tmp_path / "Warszawa_style.pb"
    path.write_text(ORDINAL_WITH_POINTS, encoding="utf-8")
    result = manage("pb_outcome", str(path), "--rule", "greedy", env=without_django)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"warning: {path}: VOTES line 13: this ordinal file has a 'points' column" in result.stderr
    assert f"warning: {path}: VOTES line 15: field 'vote': project '15' appears twice" in result.stderr
    assert result.stdout.split()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file has no META section"),
        (b"\xff\xfe\x00garbage", "file is not UTF-8 text"),
        (ORDINAL_WITH_POINTS.replace("15;500", "15;lots").encode(), "PROJECTS line 9: field 'cost': 'lots' is not a "),
        (ORDINAL_WITH_POINTS.replace("23,33,15", "23,99").encode(),
         "VOTES line 14: field 'vote': unknown project '99'"),
    ],
)
def test_bad_files_end_in_one_clean_line(tmp_path: Path, without_django: dict[str, str], content: bytes,
                                         message: str) -> None:
    path = tmp_path / "bad.pb"
    path.write_bytes(content)
    for command in (["manage.py", "pb_outcome"], ["-m", "budgeting.pb"]):
        result = subprocess.run([sys.executable, *command, str(path), "--rule", "mes"], cwd=REPO,
                                capture_output=True, text=True, check=False, env=without_django)
        assert result.returncode == 2
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith(f"error: {path}: {message}"), result.stderr
        assert result.stderr.count("\n") == 1


def test_missing_file_and_bad_options(without_django: dict[str, str]) -> None:
    result = manage("pb_outcome", "/nonexistent.pb", "--rule", "greedy", env=without_django)
    assert (result.returncode, result.stderr) == (2, "error: cannot read /nonexistent.pb: No such file or directory\n")
    result = manage("pb_outcome", "x.pb", "--rule", "nonsense", env=without_django)
    assert result.returncode == 2
    assert "invalid choice: 'nonsense'" in result.stderr
    assert "Traceback" not in result.stderr


def test_other_commands_still_start_django(without_django: dict[str, str]) -> None:
    result = manage("check", env=without_django)
    assert result.returncode != 0
    assert "no_such_settings_module" in result.stderr


def test_even_a_bug_ends_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from budgeting.pb import cli

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli, "compute_outcome", broken)
    err = io.StringIO()
    path = tmp_path / "small.pb"
    path.write_text(ORDINAL_WITH_POINTS, encoding="utf-8")
    assert cli.main([str(path), "--rule", "greedy"], out=io.StringIO(), err=err) == 3
    assert err.getvalue().endswith("internal error, please report it (ZeroDivisionError: division by zero)\n")

