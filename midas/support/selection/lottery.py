"""The public lottery that picks, among interchangeable candidates, the ones a partially funded class funds.

A candidate's ticket is ``sha256(f"{seed}:{candidate_id}".encode("utf-8")).hexdigest()``; within a class the
lowest tickets win (the candidate id breaks the tie that two equal hashes would be). The seed is published before
the draw, so nobody can steer it, and anyone can recompute every ticket afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from midas.support.selection.model import Candidate


def ticket(seed: str, candidate_id: str) -> str:
    """The candidate's lottery ticket for ``seed``: 64 hex digits; lower wins."""
    return hashlib.sha256(f"{seed}:{candidate_id}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class CandidateClass:
    """Candidates identical in everything the model sees (track, region, score, grant), in drawing order."""

    track: str
    region: str
    score: int
    grant_krw: int
    members: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.members)


def group_into_classes(candidates: tuple[Candidate, ...], tickets: list[str]) -> list[CandidateClass]:
    """The classes of interchangeable candidates, in a fixed order that does not depend on the input order.

    ``members`` are positions in ``candidates``, sorted by (ticket, id): the order in which the lottery funds them.
    """
    groups: dict[tuple[str, str, int, int], list[int]] = {}
    for position, candidate in enumerate(candidates):
        key = (candidate.track, candidate.region, candidate.score, candidate.grant_krw)
        groups.setdefault(key, []).append(position)
    return [
        CandidateClass(*key, members=tuple(sorted(members, key=lambda p: (tickets[p], candidates[p].id))))
        for key, members in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1], -item[0][2],
                                                                     item[0][3]))
    ]


def rank_order(candidates: tuple[Candidate, ...], tickets: list[str], positions: Iterable[int]) -> list[int]:
    """``positions`` best first: higher score first, then the lower ticket, then the id."""
    return sorted(positions, key=lambda p: (-candidates[p].score, tickets[p], candidates[p].id))
