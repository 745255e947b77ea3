"""The six real Polis conversations copied into the repository (tests/data/polis/<conversation>/*.csv.xz,
CC BY 4.0, The Computational Democracy Project; see the README there). One loader for the tests and the
benches, so that nothing reads outside the repository."""

from __future__ import annotations

import csv
import io
import lzma
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

POLIS = Path(__file__).resolve().parents[1] / "data" / "polis"
CONVERSATIONS = ("london.youth.policing", "15-per-hour-seattle", "brexit-consensus",
                 "canadian-electoral-reform", "football-concussions", "vtaiwan.uberx")


def rows(conversation: str, table: str) -> Iterator[dict[str, str]]:
    """The rows of one CSV table ("votes", "comments", "participants-votes", "summary") as dicts."""
    with lzma.open(POLIS / conversation / f"{table}.csv.xz", "rb") as raw:
        yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))


@dataclass(frozen=True)
class Conversation:
    name: str
    votes: list[tuple[str, int, int, float]]  # (voter, comment, vote, timestamp), re-votes included
    comments: dict[int, str]  # comment id -> text
    moderated_out: frozenset[int]  # comments a moderator rejected (moderated == -1)
    polis_groups: dict[str, str]  # participant -> Polis's own group id at export time


def load(conversation: str) -> Conversation:
    votes = [(r["voter-id"], int(r["comment-id"]), int(r["vote"]), float(r["timestamp"]))
             for r in rows(conversation, "votes")]
    comments: dict[int, str] = {}
    moderated_out = set()
    for r in rows(conversation, "comments"):
        comments[int(r["comment-id"])] = r["comment-body"]
        if r["moderated"] == "-1":
            moderated_out.add(int(r["comment-id"]))
    groups = {r["participant"]: r["group-id"] for r in rows(conversation, "participants-votes") if r["group-id"]}
    return Conversation(conversation, votes, comments, frozenset(moderated_out), groups)


def accepted_comments(conversation: str) -> list[str]:
    """The texts a moderator accepted (moderated == 1), in file order."""
    return [r["comment-body"] for r in rows(conversation, "comments") if r["moderated"] == "1"]


def visible_comments(conversation: str) -> list[str]:
    """The texts not rejected by a moderator (accepted or not yet moderated), in file order."""
    return [r["comment-body"] for r in rows(conversation, "comments") if r["moderated"] != "-1"]
