"""Plain records the scheduler takes in and hands back.

Everything is a frozen dataclass of ints, strings and tuples, so services can build a ``Problem`` from
storage rows, and store a ``Result`` back, without the scheduler knowing about either. Slots are referred to
by ``Slot.index`` and tables by ``Table.id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Final, Literal

from matchmaker.scheduling.slots import Slot

ParticipantKind = Literal["researcher", "company"]
Status = Literal["optimal", "feasible", "infeasible", "unknown"]
ReasonCode = Literal["availability", "cap", "no_table", "refused", "not_worth"]

REASON_TEXT: Final[dict[str, str]] = {
    "availability": "时间不可用",
    "cap": "达到上限",
    "no_table": "无空闲桌位",
    "refused": "不见",
    "not_worth": "其他更优",
}


@dataclass(frozen=True)
class Participant:
    """A researcher or company representative; ``available`` holds slot indices (None = every slot) and
    ``cap`` the most meetings this person wants (None = no limit). Representatives of one company share a
    ``group`` (the company id), which the solver keeps together in time (see ``compactness.py``)."""

    id: int
    name: str
    kind: ParticipantKind
    available: frozenset[int] | None = None
    cap: int | None = None
    group: int | None = None


@dataclass(frozen=True)
class Table:
    id: int
    name: str


@dataclass(frozen=True)
class Pair:
    """A candidate meeting between participants ``a`` and ``b``.

    ``score`` is the matcher's 0..1 score; ``must`` is a 必须见 preference, ``accepted_request`` a meeting
    request the other side accepted, ``refused`` a 不见 preference (the pair is never scheduled).
    """

    id: int
    a: int
    b: int
    score: float
    must: bool = False
    accepted_request: bool = False
    refused: bool = False


@dataclass(frozen=True)
class Pin:
    """The organizer fixes a pair's slot and/or table; the pair is then always scheduled."""

    pair_id: int
    slot: int | None = None
    table: int | None = None


@dataclass(frozen=True)
class Meeting:
    pair_id: int
    slot: int
    table: int


@dataclass(frozen=True)
class Problem:
    """One event to schedule.

    ``previous`` is the published schedule: when given, the solver changes as few of its meetings as it can
    (minimal-change re-solve). ``min_meetings_per_participant`` is the organizer's aim, not a hard rule.
    """

    slots: tuple[Slot, ...]
    tables: tuple[Table, ...]
    participants: tuple[Participant, ...]
    pairs: tuple[Pair, ...]
    pins: tuple[Pin, ...] = ()
    min_meetings_per_participant: int = 1
    previous: tuple[Meeting, ...] = ()

    @cached_property
    def participants_by_id(self) -> dict[int, Participant]:
        return {p.id: p for p in self.participants}

    @cached_property
    def pairs_by_id(self) -> dict[int, Pair]:
        return {p.id: p for p in self.pairs}

    def available_slots(self, participant_id: int) -> frozenset[int]:
        """Slot indices the participant can attend; ``available=None`` means every slot of the event."""
        available = self.participants_by_id[participant_id].available
        every = frozenset(s.index for s in self.slots)
        return every if available is None else available & every

    def common_slots(self, pair: Pair) -> frozenset[int]:
        """Slots both sides of ``pair`` can attend; empty for a 不见 pair, which is never scheduled."""
        if pair.refused:
            return frozenset()
        return self.available_slots(pair.a) & self.available_slots(pair.b)

    def participants_who_could_meet(self) -> frozenset[int]:
        """Participants with at least one pair that could be scheduled on its own: not 不见, a common slot,
        and neither side capped at 0. Fairness and the benchmark's "left with none" count refer to them."""
        could: set[int] = set()
        for pair in self.pairs:
            caps = (self.participants_by_id[pair.a].cap, self.participants_by_id[pair.b].cap)
            if self.common_slots(pair) and 0 not in caps:
                could.update((pair.a, pair.b))
        return frozenset(could)


@dataclass(frozen=True)
class Unplaced:
    """A candidate pair the schedule leaves out, with the first reason that applies (see ``REASON_TEXT``)."""

    pair_id: int
    code: ReasonCode
    reason: str


@dataclass(frozen=True)
class Move:
    """A change against the published schedule: ``old`` None is a new meeting, ``new`` None a dropped one."""

    pair_id: int
    old: Meeting | None
    new: Meeting | None


@dataclass(frozen=True)
class Result:
    """What a solve produced.

    ``meetings`` are ordered by slot, then pair id. ``objective`` and ``bound`` are in the integer units of ``weights.py`` (the score phase; see
    docs/scheduling.md); ``status`` is "optimal" only when both phases were proven optimal.
    """

    meetings: tuple[Meeting, ...]
    unplaced: tuple[Unplaced, ...]
    status: Status
    objective: int
    bound: int
    moved: tuple[Move, ...]
    wall_time_s: float

    @property
    def gap(self) -> float:
        """Relative distance to the proven bound (0.0 = proven optimal), for the page and the benchmark."""
        if self.bound <= 0:
            return 0.0
        return max(0, self.bound - self.objective) / self.bound
