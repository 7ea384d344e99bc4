"""Reception rotation (轮流接待, Q-1..Q-10): a small state machine whose state is plain JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from fractions import Fraction
from typing import Any, Literal

from .errors import EngineError


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    """Who receives a walk-in, and the rules that decided it."""

    visitor: str
    staff: str | None
    cites: tuple[str, ...]
    turn_used: bool
    zh: str
    en: str

    def explain(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True, slots=True, kw_only=True)
class Receiving:
    """Who the next new walk-in goes to, as the board says it: one truth at a time.

    `mode` is "lunch" (the lunch duty receives everyone, Q-6), "free" (no rotation, the desk chooses,
    Q-10), "rotation" (whose turn it is, Q-1), "all_busy" (everyone present is busy and the first from
    the pointer takes it anyway, Q-3) or "nobody" (nobody present can receive).
    """

    mode: Literal["lunch", "free", "rotation", "all_busy", "nobody"]
    staff: str | None
    cites: tuple[str, ...]


# the statuses whose owner still receives a returning visitor.
CLAIMED = frozenset({"pending", "active"})


def _share(value: object) -> Fraction:
    try:
        return Fraction(str(value))  # stored as "1", "1/2" (IH-17) or an older "0.5"
    except (ValueError, ZeroDivisionError):
        return Fraction(0)


def _by_id(staff: str) -> tuple[int, str]:
    return (len(staff), staff)  # "2" before "10"


def returning_owner(owners: Mapping[str, object] | None, status: str, desk: Desk | None = None) -> str | None:
    """Who receives a returning visitor (Q-4): the owner of a pending or active claim, else nobody.

    A claim split between two sites (IH-17) has two owners with equal shares: the visitor goes to
    whichever of them is present and free, else present, else the first the rotation would reach
    (without a desk to look at: the first on the roster). A larger share wins outright.
    """
    if not owners or status not in CLAIMED:
        return None
    shares = {str(person): _share(value) for person, value in owners.items()}
    top = max(shares.values())
    leaders = sorted((person for person, share in shares.items() if share == top), key=_by_id)
    if len(leaders) == 1 or desk is None:
        return leaders[0]
    return desk.first_of(leaders)


Done = Callable[["Desk", str | None, tuple[str, ...], bool, str, str], tuple["Desk", Assignment]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Desk:
    """The rotation's whole state; every change returns a new Desk."""

    roster: tuple[str, ...]
    pointer: int = 0  # index into roster of whose turn is next
    away: frozenset[str] = frozenset()
    present_off_roster: frozenset[str] = frozenset()  # on a day off but on site for their own customers
    busy: frozenset[str] = frozenset()
    suspended: frozenset[str] = frozenset()
    skips: tuple[tuple[str, int], ...] = ()  # turns taken early, owed back
    lunch_duty: str | None = None
    free_reception: bool = False
    served: tuple[tuple[str, int], ...] = field(default=())  # turns counted per consultant, for the board

    def __post_init__(self) -> None:
        if not self.roster:
            raise EngineError(
                "值班表为空：至少需要一名置业顾问",
                "the roster is empty: at least one consultant is needed",
                path="$.roster",
            )
        if len(set(self.roster)) != len(self.roster):
            raise EngineError("值班表中有重复的顾问", "the roster names a consultant twice", path="$.roster")

    # -- serialisation ---------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("away", "present_off_roster", "busy", "suspended"):
            data[key] = sorted(data[key])
        data["roster"] = list(self.roster)
        data["skips"] = {k: v for k, v in self.skips}
        data["served"] = {k: v for k, v in self.served}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Desk:
        return cls(
            roster=tuple(data["roster"]),
            pointer=int(data.get("pointer", 0)),
            away=frozenset(data.get("away", ())),
            present_off_roster=frozenset(data.get("present_off_roster", ())),
            busy=frozenset(data.get("busy", ())),
            suspended=frozenset(data.get("suspended", ())),
            skips=tuple(sorted(dict(data.get("skips", {})).items())),
            lunch_duty=data.get("lunch_duty"),
            free_reception=bool(data.get("free_reception", False)),
            served=tuple(sorted(dict(data.get("served", {})).items())),
        )

    # -- questions -------------------------------------------------------------------------------

    def present(self, staff: str) -> bool:
        if staff in self.roster:
            return staff not in self.away
        return staff in self.present_off_roster

    def eligible(self, staff: str) -> bool:
        """Q-1: present, not busy, not suspended."""
        return self.present(staff) and staff not in self.busy and staff not in self.suspended

    @property
    def next_up(self) -> str | None:
        """Whose turn it is now (Q-1, Q-5 skips considered), without changing anything."""
        found = self._scan()
        return found[0] if found else None

    def receiving(self) -> Receiving:
        """What the board says about the next new walk-in: the engine's own answer to one, not a second reading."""
        _, given = self.walk_in("")  # a pure step: this Desk is unchanged
        if self.free_reception:
            mode: Literal["lunch", "free", "rotation", "all_busy", "nobody"] = "free"
        elif self.lunch_duty is not None:
            mode = "lunch"  # the duty receives; nobody else is "next" until lunch is over
        elif given.staff is None:
            mode = "nobody"
        elif "Q-3" in given.cites:
            mode = "all_busy"
        else:
            mode = "rotation"
        return Receiving(mode=mode, staff=given.staff, cites=given.cites)

    def _skips(self) -> dict[str, int]:
        return dict(self.skips)

    def _scan(self) -> tuple[str, int, dict[str, int]] | None:
        """First eligible consultant from the pointer: (staff, roster index, skips left after passing)."""
        skips = self._skips()
        n = len(self.roster)
        for step in range(n):
            i = (self.pointer + step) % n
            staff = self.roster[i]
            if skips.get(staff):
                skips[staff] -= 1  # the turn taken early is given back when the pointer reaches them
                continue
            if self.eligible(staff):
                return staff, i, skips
        # Everyone owes a turn or is unavailable: a second round ignores what is owed.
        for step in range(n):
            i = (self.pointer + step) % n
            if self.eligible(self.roster[i]):
                return self.roster[i], i, skips
        return None

    def first_of(self, candidates: Iterable[str]) -> str:
        """Of several consultants (split owners, IH-17 / Q-4): present and free first, then present, then
        the first the rotation would reach from the pointer; someone off today's roster comes last."""
        people = list(dict.fromkeys(candidates))
        if not people:
            raise EngineError("没有可选的顾问", "no consultant to choose from")
        n = len(self.roster)
        order = {self.roster[(self.pointer + step) % n]: step for step in range(n)}

        def rank(staff: str) -> tuple[int, int, tuple[int, str]]:
            here = self.present(staff) and staff not in self.suspended
            state = 0 if here and staff not in self.busy else 1 if here else 2
            return (state, order.get(staff, n), _by_id(staff))

        return min(people, key=rank)

    def place_of(self, staff: str) -> int | None:
        """A consultant's place in the queue for new walk-ins (1: next), as Q-1, Q-5, Q-7 make it.

        Counted as if each walk-in given before them were done before the next arrives, and as if
        they were free themselves; those busy now stay busy. None: away, suspended or off the roster,
        so not in the queue at all (and during free reception, Q-10, there is no queue).
        """
        if self.free_reception or staff not in self.roster or not self.present(staff) or staff in self.suspended:
            return None
        desk = replace(self, busy=self.busy - {staff}, lunch_duty=None)
        rounds = len(self.roster) * (2 + sum(count for _, count in self.skips))
        for place in range(1, rounds + 1):
            found = desk._scan()
            if found is None:
                return None
            taken, index, skips = found
            if taken == staff:
                return place
            desk = desk._take(taken, turn=True, index=index, skips=skips).finish(taken)
        return None  # pragma: no cover - the scan reaches every present consultant within the rounds

    def staffed(self, roster: Iterable[str]) -> Desk:
        """The same rotation with today's roster: a consultant who left (IH-13) is gone from every list,
        one who joined is added at the end; the turn stays with whoever had it, or the next after them."""
        keep = tuple(dict.fromkeys(roster))
        if keep == self.roster:
            return self
        n = len(self.roster)
        staying = set(keep)
        after = next(
            (
                self.roster[(self.pointer + step) % n]
                for step in range(n)
                if self.roster[(self.pointer + step) % n] in staying
            ),
            None,
        )
        ordered = tuple(s for s in self.roster if s in staying) + tuple(s for s in keep if s not in self.roster)
        gone = set(self.roster) - staying
        return Desk(
            roster=ordered,
            pointer=ordered.index(after) if after is not None else 0,
            away=self.away - gone,
            present_off_roster=self.present_off_roster - gone,
            busy=self.busy - gone,
            suspended=self.suspended - gone,
            skips=tuple((k, v) for k, v in self.skips if k not in gone),
            lunch_duty=None if self.lunch_duty in gone else self.lunch_duty,
            free_reception=self.free_reception,
            served=self.served,
        )

    # -- changes ---------------------------------------------------------------------------------

    def _take(self, staff: str, *, turn: bool, index: int | None = None, skips: dict[str, int] | None = None) -> Desk:
        served = dict(self.served)
        if turn:
            served[staff] = served.get(staff, 0) + 1
        changes: dict[str, Any] = {"busy": self.busy | {staff}, "served": tuple(sorted(served.items()))}
        if index is not None:
            changes["pointer"] = (index + 1) % len(self.roster)
        if skips is not None:
            changes["skips"] = tuple(sorted((k, v) for k, v in skips.items() if v))
        return replace(self, **changes)

    def walk_in(
        self,
        visitor: str,
        *,
        asks_for: str | None = None,
        owner: str | None = None,
        signed: bool = False,
        peer: bool = False,
    ) -> tuple[Desk, Assignment]:
        """Give one walk-in to a consultant, as Q-1..Q-10 say."""

        def done(
            desk: Desk, staff: str | None, cites: tuple[str, ...], turn: bool, zh: str, en: str
        ) -> tuple[Desk, Assignment]:
            return desk, Assignment(visitor=visitor, staff=staff, cites=cites, turn_used=turn, zh=zh, en=en)

        if self.free_reception:  # no rotation on peak days
            return done(
                self,
                None,
                ("Q-10",),
                False,
                "自由接待中，不按轮序分配",
                "free reception: the rotation is not applied",
            )
        if self.lunch_duty is not None:  # the lunch duty receives everyone; the pointer stays
            duty = self.lunch_duty
            return done(
                self._take(duty, turn=False),
                duty,
                ("Q-6",),
                False,
                f"午休期间由值班的 {duty} 接待",
                f"during lunch the duty consultant {duty} receives",
            )
        if owner is not None:
            return self._returning(visitor, owner, signed, done)
        if asks_for is not None and self.present(asks_for) and asks_for not in self.suspended:
            found = self._scan()
            if found and found[0] == asks_for:  # it is their turn anyway
                staff, index, skips = found
                return done(
                    self._take(staff, turn=True, index=index, skips=skips),
                    staff,
                    ("Q-5", "Q-1"),
                    True,
                    f"客户指名 {staff}，正好轮到",
                    f"the visitor asked for {staff}, whose turn it was",
                )
            skips = self._skips()
            if asks_for in self.roster:
                skips[asks_for] = skips.get(asks_for, 0) + 1  # a turn taken early
            return done(
                self._take(asks_for, turn=True, skips=skips),
                asks_for,
                ("Q-5",),
                True,
                f"客户指名 {asks_for}，算作其提前轮到的一次",
                f"the visitor asked for {asks_for}: their turn, taken early",
            )
        return self._new(visitor, peer, done)

    def _new(self, visitor: str, peer: bool, done: Done) -> tuple[Desk, Assignment]:
        found = self._scan()
        cites: tuple[str, ...] = ("Q-1", "Q-2") + (("Q-8",) if peer else ())
        if found is not None:
            staff, index, skips = found
            if self.suspended:
                cites += ("Q-7",)
            if skips != self._skips():
                cites += ("Q-5",)
            return done(
                self._take(staff, turn=True, index=index, skips=skips),
                staff,
                cites,
                True,
                f"按轮序由 {staff} 接待",
                f"by the rotation {staff} receives",
            )
        # everyone present is busy: the first present, non-suspended one from the pointer takes it.
        first = self._first_present()
        if first is None:
            return done(self, None, ("Q-1",), False, "无人在岗可接待", "nobody on duty can receive")
        staff, i = first
        return done(
            self._take(staff, turn=True, index=i),
            staff,
            ("Q-3", *cites[2:]),
            True,
            f"全员忙碌，按轮序由 {staff} 同时接待",
            f"everyone is busy; by the rotation {staff} receives too",
        )

    def _returning(self, visitor: str, owner: str, signed: bool, done: Done) -> tuple[Desk, Assignment]:
        # a returning customer goes to the owner if present and free, and uses no turn.
        owner_on_site = self.present(owner) and owner not in self.suspended
        day_off: tuple[str, ...] = () if owner in self.roster else ("Q-9",)  # off the roster today
        if owner_on_site and owner not in self.busy:
            return done(
                self._take(owner, turn=False),
                owner,
                ("Q-4", *day_off),
                False,
                f"老客户由归属人 {owner} 接待，不占轮次",
                f"a returning customer goes to the owner {owner}, using no turn",
            )
        found = self._scan()
        if owner_on_site:  # busy: the next eligible assists and the pointer does not move
            helper = found or self._first_present()
            if helper is None:
                return done(self, None, ("Q-4",), False, "无人可协助接待", "nobody can assist")
            staff = helper[0]
            return done(
                self._take(staff, turn=False),
                staff,
                ("Q-4", "IH-11"),
                False,
                f"归属人 {owner} 忙碌，由 {staff} 协助，不占轮次",
                f"the owner {owner} is busy; {staff} assists, using no turn",
            )
        if found is None:
            first = self._first_present()
            if first is None:
                return done(self, None, ("Q-4",), False, "无人可协助接待", "nobody can assist")
            staff = first[0]
            return done(
                self._take(staff, turn=False),
                staff,
                ("Q-4", "Q-3", "IH-11"),
                False,
                f"归属人 {owner} 不在，全员忙碌，由 {staff} 协助",
                f"the owner {owner} is away and all are busy; {staff} assists",
            )
        staff, index, skips = found
        if signed:  # 已签单客户不计轮次
            return done(
                self._take(staff, turn=False),
                staff,
                ("Q-4", "IH-11"),
                False,
                f"归属人 {owner} 不在，由轮到的 {staff} 协助；已签单客户不计轮次",
                f"the owner {owner} is away; {staff}, whose turn it is, assists; a signed customer uses no turn",
            )
        return done(
            self._take(staff, turn=True, index=index, skips=skips),
            staff,
            ("Q-4", "IH-11"),
            True,
            f"归属人 {owner} 不在，由轮到的 {staff} 协助，计为其轮次",
            f"the owner {owner} is away; {staff}, whose turn it is, assists and it counts as their turn",
        )

    def _first_present(self) -> tuple[str, int] | None:
        """The first present, non-suspended consultant from the pointer, and their place (Q-3)."""
        n = len(self.roster)
        for step in range(n):
            i = (self.pointer + step) % n
            staff = self.roster[i]
            if self.present(staff) and staff not in self.suspended:
                return staff, i
        return None

    def turn_moved(self, was: str, now: str) -> Desk:
        """A registration corrected to another receiver (docs/decisions.md 223): the turn it counted
        goes with it, so the board counts whoever really received (Q-1). The pointer stays where it
        is: whose turn is next was shown and acted on, and moving it back could give one turn twice."""
        served = dict(self.served)
        if served.get(was, 0) > 0:
            served[was] -= 1
        served[now] = served.get(now, 0) + 1
        return replace(self, served=tuple(sorted((k, v) for k, v in served.items() if v)))

    def receives(self, staff: str) -> Desk:
        """Q-10: on a free-reception day the consultant chosen at the desk receives; no turn is counted."""
        return self._take(staff, turn=False)

    def finish(self, staff: str) -> Desk:
        """The consultant is done with every group they had (free again)."""
        return replace(self, busy=self.busy - {staff})

    def go_busy(self, staff: str) -> Desk:
        """Busy with something else than a walk-in given at the desk (a signing, an appointment, a call).

        Being busy is what Q-1 and Q-2 already know: the rotation passes over them and that turn is
        lost, a returning customer of theirs is assisted (Q-4, IH-11). Marking it uses no turn, and
        someone marked away who is busy here is here again. `finish` frees them.
        """
        return self.come_back(staff)._take(staff, turn=False)

    def go_away(self, staff: str) -> Desk:
        return replace(self, away=self.away | {staff}, present_off_roster=self.present_off_roster - {staff})

    def come_back(self, staff: str) -> Desk:
        if staff in self.roster:
            return replace(self, away=self.away - {staff})
        return replace(self, present_off_roster=self.present_off_roster | {staff})

    def suspend(self, staff: str) -> Desk:
        return replace(self, suspended=self.suspended | {staff})

    def reinstate(self, staff: str) -> Desk:
        return replace(self, suspended=self.suspended - {staff})

    def lunch_start(self, duty: str) -> Desk:
        return replace(self, lunch_duty=duty)

    def lunch_end(self) -> Desk:
        return replace(self, lunch_duty=None)

    def free_start(self) -> Desk:
        return replace(self, free_reception=True)

    def free_end(self) -> Desk:
        return replace(self, free_reception=False)  # resumes where it stopped
