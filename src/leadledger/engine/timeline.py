"""The engine's index: events by household and person, so that one customer is judged alone."""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from itertools import islice
from operator import attrgetter, le
from typing import Any, TypeVar

from . import distributor, inhouse
from .corrections import correction_refused, replacement
from .distributor import ChannelClaim, ChannelContext, ChannelState, Contact
from .errors import EngineError
from .identity import Identity, normalise_name
from .inhouse import Context, DealSnapshot, HouseholdState, Shares, one_or_many
from .model import (
    LOOKBACK_KINDS,
    NAMED_BUYER_KINDS,
    Agent,
    Call,
    Cast,
    ChannelRuling,
    Correction,
    Customer,
    Deal,
    EscortedVisit,
    Event,
    FollowUp,
    ReferralLogged,
    Registration,
    Renewal,
    Ruling,
    Staff,
    StaffLeft,
    Visit,
)
from .phone import Phone
from .policy import Policy
from .reasons import KIND_EN, KIND_ZH, Describer, Reason, reason
from .splits import split_inhouse
from .verdict import DealVerdict, RegistrationStatus, RegistrationVerdict, RiskSignal, Standing, Verdict

_FREE = reason("free", None)
_NO_CHANNEL = ChannelState()
_NO_DISTRIBUTOR = reason("d_none", None)
_CONTACT_TYPES = (Visit, Call, FollowUp)
_CONTACT_SET = frozenset(_CONTACT_TYPES)  # a tuple: isinstance on it is as fast as a set lookup
_HOUSEHOLD = frozenset({Renewal, Ruling, ReferralLogged})
_SCHEMES = {  # D-11, as a channel manager names them
    "visit": ("到访→成交", "visit, then deal"),
    "report_visit": ("报备→到访→成交", "registration, visit, then deal"),
    "report": ("报备→成交", "registration, then deal"),
}
_CHANNEL = frozenset({EscortedVisit, Registration, ChannelRuling})  # one person's channel (D-1..D-13)


_key: Callable[[Event], tuple[datetime, int]] = attrgetter("at", "seq")  # time, then order of recording


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during bulk work.

    A load or rebuild allocates millions of small objects and no reference cycles; with the
    collector running, each full collection rescans everything already loaded, which doubled the
    cost of a million-event rebuild. Memory is still freed by reference counting.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Names(Mapping[str, str]):
    """One roster's names by id, looked up when a sentence is made (copying a million names per
    timeline cost more than judging)."""

    __slots__ = ("_roster",)

    def __init__(self, roster: Mapping[str, Customer | Staff | Agent]) -> None:
        self._roster = roster

    def __getitem__(self, key: str) -> str:
        return self._roster[key].name

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        # Mapping.get goes through __getitem__ and a KeyError; a sentence looks up several names.
        person = self._roster.get(key)
        return person.name if person is not None else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._roster)

    def __len__(self) -> int:
        return len(self._roster)


class _Firms(Mapping[str, str]):
    """Each agent's distributor, looked up when asked (a copy per judged person cost more than the fold)."""

    __slots__ = ("_agents",)

    def __init__(self, agents: Mapping[str, Agent]) -> None:
        self._agents = agents

    def __getitem__(self, key: str) -> str:
        return self._agents[key].distributor

    def __iter__(self) -> Iterator[str]:
        return iter(self._agents)

    def __len__(self) -> int:
        return len(self._agents)


_at: Callable[[Event], datetime] = attrgetter("at")
# Referrers' owners worked out one inside another (IH-8's chains) before those asked deeper are left
# for later: each level is a few of Python's frames, and a chain may be of any length.
_DEEPEST = 40
_Key = tuple[str, tuple[datetime, int]]  # a household, and the moment its owners are asked for
_UNKNOWN: Any = object()


J = TypeVar("J", Verdict, Standing)


class Timeline:
    """A project's people, policy and events; answers "whose is this customer, now or then?"."""

    def __init__(
        self,
        cast: Cast,
        policy: Policy,
        events: Iterable[Event] = (),
        *,
        identity: Identity | None = None,
        ids_unique: bool = False,
    ) -> None:
        """`identity`, when given, must have been made from this cast (verify shares one between workers).

        `ids_unique` says the caller has made sure that no id in `events` repeats (verify: the ids are
        the ledger's event numbers, and its chain check reports a repeat); the index by id is then
        built when first asked for, not while loading: verify never asks.
        """
        # Building the indexes allocates many small objects and no cycles (see collector_paused).
        with collector_paused():
            self.cast = cast
            self.policy = policy
            self.identity = identity or Identity(cast.customers, cast.relations)
            zone = policy.zone
            self.describer = Describer(
                lambda moment: moment.astimezone(zone),
                customers=_Names(cast.customers),
                agents=_Names(cast.agents),
                staff=_Names(cast.staff),
                distributors=cast.distributors,
            )
            self._ctx = Context(cast, policy, self._owners_at)
            self._firms = _Firms(cast.agents)
            self._household_events: dict[str, list[Event]] = defaultdict(list)
            # A person's channel events: escorted visits, registrations and channel rulings, in time order.
            self._escorts: dict[str, list[EscortedVisit | Registration | ChannelRuling]] = defaultdict(list)
            self._agent_registrations: dict[str, list[Registration]] = defaultdict(list)  # D-12's daily cap
            # D-1 looks back at a person's own contacts: picked out of the household's list when first
            # asked for (only distributors' customers and their relatives ever are), then kept up to date.
            self._contact_times: dict[str, list[datetime]] = {}
            self._contacts: dict[str, list[Visit | Call | FollowUp]] = {}
            self._departures: list[StaffLeft] = []
            # Corrected visits (decisions 220-222): the visit's id, and the replacement's (the
            # correction's own id), to the correction; both read only when a correction exists.
            self._superseded: dict[str, Correction] = {}
            self._replacing: dict[str, Correction] = {}
            self._by_id: dict[str, Event] = {}
            # Deals and registrations by id, as they are routed: asked about by id (a replay's questions)
            # without the index of every event, which a load with ids_unique leaves unbuilt.
            self._asked_by_id: dict[str, Event] = {}
            self._unindexed: list[Event] = []  # loaded with ids_unique, not yet in _by_id
            self._ids_unique = ids_unique
            # (household, moment) -> its owners just before that moment, as a referral asks of its
            # referrer (IH-8). Each is read strictly before the registration that asks, so a nested
            # question is always about an earlier moment: loops end, and every answer can be kept.
            self._owners_then: dict[tuple[str, tuple[datetime, int]], Shares | None] = {}
            self._depth = 0  # referrers' owners being worked out, one inside another
            # Asked deeper than _DEEPEST: answered "nobody" for now, worked out from the top, then the
            # question that asked is worked out again; nothing judged with such a stand-in is kept.
            self._wanted: list[tuple[_Key, Event]] = []
            self._households: dict[str, list[str]] | None = None
            self._masked: dict[str, list[str]] = defaultdict(list)
            for record in cast.customers.values():
                if record.phone and "*" in record.phone:
                    self._masked[record.phone].append(record.id)
            self._last: datetime | None = None
            self._last_key: tuple[datetime, int] | None = None
            # root -> (household events folded, state after them and every departure): the incremental cache
            self._states: dict[str, tuple[int, HouseholdState]] = {}
            self._version = policy.version
            self.extend(events)

    # -- indexing -------------------------------------------------------------------------------

    def extend(self, events: Iterable[Event]) -> None:
        """Add events in any order; each household's list stays in time order.

        Events that come after everything known are applied to the cached household states as they
        are; an event from the past, or a departure (which touches every household), drops the cache.
        """
        if self._last_key is None:
            self._load(list(events))
            return
        ordered = sorted(events, key=_key)
        if not ordered:
            return
        self._owners_then.clear()
        in_order = _key(ordered[0]) >= self._last_key
        if not in_order or any(isinstance(event, StaffLeft) for event in ordered):
            self._states.clear()
        for event in ordered:
            self._route(event, append=in_order)
        if _key(ordered[-1]) > self._last_key:
            self._last_key = _key(ordered[-1])
            self._last = ordered[-1].at

    def _load(self, events: list[Event]) -> None:
        """A bulk load: route first, then sort each household's and person's short list by itself."""
        if not events:
            return
        with collector_paused():
            self._load_sorted(events)

    def _load_sorted(self, events: list[Event]) -> None:
        # _route for a bulk of appends, written out: a method call per event was a tenth of a rebuild.
        by_id, household = self._by_id, self.identity.household
        if self._ids_unique and not by_id:
            self._unindexed = events
        else:
            before = len(by_id)
            by_id.update({event.id: event for event in events})
            if len(by_id) != before + len(events):
                self._duplicate(events, before)
        household_events, route, contact_types = self._household_events, self._route, _CONTACT_SET
        # One pass in the order given: each list keeps that order, which the sort below relies on.
        # A customer's household list is looked up once, not once per event (two dicts of a million).
        lists: dict[str, list[Event]] = {}
        corrections: list[Correction] = []
        for event in events:
            if type(event) is Correction:  # placed once every list is in order: it reaches back to its visit
                corrections.append(event)
            elif type(event) in contact_types:
                customer = event.customer  # type: ignore[attr-defined]
                target = lists.get(customer)
                if target is None:
                    target = lists[customer] = household_events[household[customer]]
                target.append(event)
            else:
                route(event, append=True, known=True)
        self._contact_times.clear()
        self._contacts.clear()
        seqs = [event.seq for event in events]
        in_order = all(map(le, seqs, islice(seqs, 1, None)))
        if in_order:
            ats = [event.at for event in events]
            if all(map(le, ats, islice(ats, 1, None))):
                # The ledger's own order (recorded in time): every list made above is in order already.
                self._last_key, self._last = _key(events[-1]), events[-1].at
                for correction in corrections:
                    self._correct(correction)
                return
        # Given in the order of recording (a scenario's own), a stable sort by time alone keeps that
        # order among equal times: the (time, order) key without a tuple per event.
        key = _at if in_order else _key
        for lists_by in (self._household_events, self._escorts, self._agent_registrations):
            for items in lists_by.values():
                items.sort(key=key)
        self._departures.sort(key=key)
        last = max(events, key=_key)
        self._last_key, self._last = _key(last), last.at
        for correction in sorted(corrections, key=_key):
            self._correct(correction)

    def _indexed(self) -> dict[str, Event]:
        if self._unindexed:  # loaded in bulk with ids_unique: the first to ask builds the index
            self._by_id.update({event.id: event for event in self._unindexed})
            self._unindexed = []
        return self._by_id

    def _duplicate(self, events: list[Event], before: int) -> None:
        """Name the event recorded twice, and leave the index as it was before the bulk load."""
        known = dict(list(self._by_id.items())[:before])
        seen: set[str] = set()
        for event in events:
            if event.id in known or event.id in seen:
                self._by_id = known
                raise ValueError(f"event {event.id!r} is already recorded")
            seen.add(event.id)

    def add(self, event: Event) -> None:
        self.extend((event,))

    def _route(self, event: Event, *, append: bool, known: bool = False) -> None:
        if not known:
            by_id = self._indexed()
            if event.id in by_id:
                raise ValueError(f"event {event.id!r} is already recorded")
            by_id[event.id] = event
        if isinstance(event, _CONTACT_TYPES):  # in-house: the household's claim, and D-1's lookback
            target = self._household_events[self.identity.household[event.customer]]
            who = self.identity.person[event.customer]
            contacts = self._contacts.get(who)  # kept only once somebody has looked
            if append:
                target.append(event)
                if contacts is not None:
                    contacts.append(event)
                if who in self._contact_times:
                    self._contact_times[who].append(event.at)
            else:
                insort(target, event, key=_key)
                if contacts is not None:
                    insort(contacts, event, key=_key)
                self._contact_times.pop(who, None)
            return
        kind = type(event)
        if kind in _HOUSEHOLD:
            target = self._household_events[self.identity.household[event.customer]]  # type: ignore[attr-defined]
        elif kind is Deal:
            target = self._household_events[self.identity.household[event.buyer]]  # type: ignore[attr-defined]
            self._asked_by_id[event.id] = event
        elif kind in _CHANNEL:
            target = self._escorts[self.identity.person[event.customer]]  # type: ignore[attr-defined, assignment]
            if isinstance(event, Registration):
                self._asked_by_id[event.id] = event
                mine = self._agent_registrations[event.agent]
                if append:
                    mine.append(event)
                else:
                    insort(mine, event, key=_key)
        elif kind is StaffLeft:
            target = self._departures  # type: ignore[assignment]
        elif kind is Correction:
            self._correct(event)  # type: ignore[arg-type]
            return
        else:  # pragma: no cover - the model has no other event types
            raise TypeError(kind.__name__)
        if append:
            target.append(event)
        else:
            insort(target, event, key=_key)

    def _correct(self, correction: Correction) -> None:
        """Index a correction: a marker in both customers' households, and the visit as corrected
        (at the visit's own moment) in the corrected customer's; _fold picks one of the two visits."""
        visit = self._indexed().get(correction.visit)
        if not isinstance(visit, Visit) or visit.customer != correction.was_customer or _key(visit) >= _key(correction):
            raise ValueError(f"correction {correction.id!r}: no earlier visit {correction.visit!r} of that customer")
        if correction.visit in self._superseded:
            raise ValueError(f"correction {correction.id!r}: visit {correction.visit!r} was corrected already")
        household = self.identity.household
        self._superseded[visit.id] = correction
        self._replacing[correction.id] = correction
        for root in dict.fromkeys((household[visit.customer], household[correction.customer])):
            insort(self._household_events[root], correction, key=_key)
        insort(self._household_events[household[correction.customer]], replacement(visit, correction), key=_key)
        # Reaches back in time: every cached state and list of contacts may have read the visit.
        self._states.clear()
        self._owners_then.clear()
        self._contacts.clear()
        self._contact_times.clear()

    def _read_as_of(self, visit: Event, horizon: tuple[datetime, float] | None) -> bool:
        """Whether a visit counts in a fold that has seen the events up to `horizon` (None: all).

        A corrected visit counts until its correction, and the visit as corrected from it on.
        """
        correction = self._superseded.get(visit.id)
        if correction is not None and (horizon is None or _key(correction) <= horizon):
            return False
        correction = self._replacing.get(visit.id)
        return correction is None or horizon is None or _key(correction) <= horizon

    def correction_refusal(self, correction: Correction) -> EngineError | None:
        """Why this new correction may not be recorded, or None (docs/decisions.md 221)."""
        visit = self._indexed().get(correction.visit)
        later: list[Event] = []
        if isinstance(visit, Visit):
            household = self.identity.household
            key = _key(visit)
            roots = dict.fromkeys(household[c] for c in (visit.customer, correction.customer) if c in household)
            later = [e for root in roots for e in self._household_events.get(root, ()) if _key(e) > key]
        return correction_refused(
            visit,
            correction,
            corrected_before=correction.visit in self._superseded,
            later=later,
            zone=self.policy.zone,
        )

    def corrected(self, visit_id: str) -> Correction | None:
        """The correction of this visit, if it has one."""
        return self._superseded.get(visit_id)

    def event(self, event_id: str) -> Event:
        return self._indexed()[event_id]

    @property
    def events(self) -> tuple[Event, ...]:
        """Every event recorded, in the order given (a dispute is exported from these)."""
        return tuple(self._indexed().values())

    @property
    def last_at(self) -> datetime | None:
        return self._last

    # -- in-house ------------------------------------------------------------------------------

    def _fold_household(
        self, root: str, until: datetime | None, through: Event | None = None, *, cache: bool = True
    ) -> HouseholdState:
        """The household's state at `until` (or just after the event `through`)."""
        events = self._household_events.get(root, [])
        departures = self._departures
        covers_all = through is None and (
            until is None or ((not events or until >= events[-1].at) and (not departures or until >= departures[-1].at))
        )
        if covers_all:
            # Taken out of the cache while it is moved on: a visit being applied may ask who owned its
            # referrer then, which folds this household again; that fold must start afresh, as a whole
            # judgement does, not find this half-applied state and apply the same visit twice.
            cached = self._states.pop(root, None)
            stand_ins = len(self._wanted)
            if cached is None:
                state = self._fold(events, len(events), None, None)
            else:  # catch up with events appended since (all later than anything folded)
                done, state = cached
                ctx = self._ctx
                for event in events[done:]:
                    inhouse.handler(event)(event, state, ctx)
            if len(self._wanted) != stand_ins:  # judged with a stand-in for a referrer's owners: not kept
                cache, cached = False, None
            if cache or cached is not None:
                self._states[root] = (len(events), state)
            elif until is not None:  # nobody else holds this state: move it on in time as it is
                inhouse.settle(state, until)
                return state
            moved = state.snapshot()
            if until is not None:
                inhouse.settle(moved, until)
            return moved
        if through is not None:
            end = events.index(through) + 1
        else:
            assert until is not None
            end = bisect_right(events, until, key=_at)
        state = self._fold(events, end, until, through)
        if until is not None:
            inhouse.settle(state, until)
        return state

    def _fold(self, events: list[Event], end: int, until: datetime | None, through: Event | None) -> HouseholdState:
        state = HouseholdState()
        ctx = self._ctx
        handler = inhouse.handler
        handlers = inhouse.HANDLERS
        departures = self._departures
        j, n = 0, len(departures)
        # The next departure's moment, compared first: most events come before it, and comparing one
        # datetime is much cheaper than building and comparing (time, order) keys for every event.
        next_at = departures[0].at if n else None
        corrected = bool(self._superseded)
        if corrected:
            horizon: tuple[datetime, float] | None = (
                _key(through) if through is not None else None if until is None else (until, float("inf"))
            )
        for event in events if end == len(events) else events[:end]:
            if corrected and type(event) is Visit and not self._read_as_of(event, horizon):
                continue
            if next_at is not None and event.at >= next_at:
                key = _key(event)
                while j < n and _key(departures[j]) <= key:
                    handler(departures[j])(departures[j], state, ctx)
                    j += 1
                next_at = departures[j].at if j < n else None
            (handlers.get(type(event)) or handler(event))(event, state, ctx)
        while j < n:
            departure = departures[j]
            if through is not None and _key(departure) > _key(through):
                break
            if through is None and until is not None and departure.at > until:
                break
            handler(departure)(departure, state, ctx)
            j += 1
        return state

    def _owners_at(self, customer: str, asking: Event) -> Shares | None:
        """The customer's owners as `asking` found them: after every event recorded before it, those at
        the same moment included, and none recorded after it (nor `asking` itself, where the referrer
        is of the registering customer's own household)."""
        key = (self.identity.household[customer], _key(asking))
        known = self._owners_then.get(key, _UNKNOWN)
        if known is _UNKNOWN:
            if not self._depth:
                self._work_out_from_the_deepest(key, asking)
                known = self._owners_then[key]
            elif self._depth >= _DEEPEST:
                self._wanted.append((key, asking))
                return None  # a stand-in (see _wanted)
            else:
                known = self._work_out_owners(key, asking)
        return None if known is None else dict(known)

    def _work_out_from_the_deepest(self, key: _Key, asking: Event) -> None:
        # IH-8's chain continues through any number of referrers, each asking of the one before. Worked
        # out nested up to _DEEPEST; those asked deeper are worked out next, on their own (all of them
        # found in one pass: each thrown back alone, a thousand referrers at that depth folded the chain
        # above them a thousand times), and the question is worked out again with their answers.
        pending = [(key, asking)]
        try:
            while pending:
                key, asking = pending[-1]
                if key in self._owners_then:
                    pending.pop()
                    continue
                self._wanted = []
                self._work_out_owners(key, asking)
                if key in self._owners_then:
                    pending.pop()
                else:
                    pending += {k: (k, a) for k, a in self._wanted if k not in self._owners_then}.values()
        finally:
            self._wanted = []

    def _work_out_owners(self, key: _Key, asking: Event) -> Shares | None:
        root, horizon = key
        stand_ins = len(self._wanted)
        self._depth += 1
        try:
            events, departures = self._household_events.get(root, []), self._departures
            if (not events or _key(events[-1]) < horizon) and (not departures or _key(departures[-1]) < horizon):
                claim = self._fold_household(root, asking.at, cache=False).claim
            else:
                # Strictly before: the asking event may be this household's own (a referral within it).
                state = self._fold(events, bisect_left(events, horizon, key=_key), asking.at, asking)
                inhouse.settle(state, asking.at)
                claim = state.claim
        finally:
            self._depth -= 1
        owners = dict(claim.owners) if claim is not None else None
        if len(self._wanted) == stand_ins:  # worked out without a stand-in: kept
            self._owners_then[key] = owners
        return owners

    # -- distributor ---------------------------------------------------------------------------

    def _contacts_of(self, person: str) -> list[Visit | Call | FollowUp]:
        """A person's in-house contacts in time order, picked out of their household's (D-1)."""
        contacts = self._contacts.get(person)
        if contacts is None:
            same = self.identity.person
            household = self._household_events.get(self.identity.household.get(person, person), ())
            contacts = self._contacts[person] = [
                event  # type: ignore[misc]
                for event in household
                if type(event) in _CONTACT_SET
                and same[event.customer] == person  # type: ignore[attr-defined]
                # A corrected visit is read as corrected here, whenever asked (decision 222).
                and event.id not in self._superseded
            ]
        return contacts

    def _times_of(self, person: str) -> list[datetime]:
        """The moments of a person's in-house contacts, for bisecting (built when first needed)."""
        times = self._contact_times.get(person)
        if times is None:
            times = self._contact_times[person] = [event.at for event in self._contacts_of(person)]
        return times

    def _channel_context(self, person: str) -> ChannelContext:
        def contacts(since: datetime, until: datetime) -> tuple[Contact, str] | None:
            # D-1: the person (any of their records) and a verified spouse, parent or child only.
            best: tuple[Contact, str] | None = None
            candidates = [(person, "self")] + [
                (other, kind) for kind in LOOKBACK_KINDS for other in self.identity.relatives(person, (kind,))
            ]
            for who, kind in candidates:
                found = distributor.first_contact_between(self._times_of(who), self._contacts_of(who), since, until)
                if found is not None and (best is None or found.at < best[0].at):
                    best = (found, kind)
            return best

        mode = self.policy.report_phone_mode

        def agrees(event: Registration) -> bool:
            return distributor.agrees(event, self.cast.customers[event.customer], mode)

        def deal_between(since: datetime, until: datetime) -> str | None:
            household = self._household_events.get(self.identity.household.get(person, person), ())
            return next((e.id for e in household if type(e) is Deal and since <= e.at <= until), None)

        return ChannelContext(
            self.policy,
            contacts,
            self._firms,
            attempt=self._attempt,
            bought=self._bought_before,
            agrees=agrees,
            deal_between=deal_between,
            authority=self._authority,
            number=self._number,
        )

    def _number(self, event: Registration) -> str | None:
        """The number a registration carries: as typed, or else the customer's own (D-12)."""
        return event.phone if event.phone is not None else self.cast.customers[event.customer].phone

    def _authority(self, staff: str) -> bool:
        """Whether a staff member may rule on a channel (D-10, D-13): management, as for IH-16."""
        member = self.cast.staff.get(staff)
        return member is not None and member.has_authority

    def _attempt(self, event: Registration) -> int:
        """D-12: which attempt of its agent's day (project zone) a registration is, refused ones included.

        Counted no further than one past the cap: that is all the rule needs to know.
        """
        mine = self._agent_registrations[event.agent]
        i = bisect_right(mine, _key(event), key=_key)
        zone = self.policy.zone
        day = event.at.astimezone(zone).date()
        limit = self.policy.report_daily_cap + 1
        count = 0
        while i > 0 and count < limit and mine[i - 1].at.astimezone(zone).date() == day:
            count += 1
            i -= 1
        return count

    def _bought_before(self, event: Event) -> str | None:
        """D-12 已成交业主: a deal by the customer or their household (ID-3) before the event."""
        key = _key(event)
        for other in self._household_events.get(self.identity.household[event.customer], ()):  # type: ignore[attr-defined]
            if _key(other) >= key:
                break
            if type(other) is Deal:
                return other.id
        return None

    def _fold_channel(
        self, person: str, until: datetime | None, before: Event | None = None, *, through: Event | None = None
    ) -> ChannelState:
        escorts = self._escorts.get(person)
        if not escorts:  # most customers: no distributor ever; nothing will write to the shared state
            return _NO_CHANNEL
        if through is not None:
            limit = _key(through)
            escorts = [e for e in escorts if _key(e) <= limit]
            before = through
        elif before is not None:
            limit = _key(before)
            escorts = [e for e in escorts if (_key(e) <= limit if through else _key(e) < limit)]
        elif until is not None:
            escorts = escorts[: bisect_right(escorts, until, key=_at)]
        state = ChannelState()
        if escorts:
            distributor.fold(escorts, self._channel_context(person), state)
        moment = before.at if before is not None else until
        if moment is not None:
            distributor.settle(state, moment)
        return state

    # -- verdicts ------------------------------------------------------------------------------

    def verdict(self, customer: str, at: datetime) -> Verdict:
        """Judge one customer at one moment, from the events known by then."""
        if customer not in self.identity.household:
            raise KeyError(customer)
        state = self._fold_household(self.identity.household[customer], at)
        channel = self._fold_channel(self.identity.person[customer], at)
        return self._verdict(customer, at, state, channel)

    def verdicts_around(self, customer: str, event_id: str) -> tuple[Verdict, Verdict]:
        """The customer's verdict just before and just after one event, in the engine's order.

        Events at the same moment are told apart by their order of recording (time, then seq), as
        the engine folds them; "before" has seen every earlier event and "after" this one too.
        Both are judged at the event's moment. A dispute is read event by event with these (IH-16).
        """
        if customer not in self.identity.household:
            raise KeyError(customer)
        event = self.event(event_id)
        key, at = _key(event), event.at
        events = self._household_events.get(self.identity.household[customer], [])
        departures = self._departures
        person = self.identity.person[customer]
        verdicts: list[Verdict] = []
        for inclusive in (False, True):
            end = (bisect_right if inclusive else bisect_left)(events, key, key=_key)
            # The last fact to take in (a household event or a departure): _fold stops after it.
            last = [e for e in (events[end - 1] if end else None,) if e is not None]
            last += [d for d in departures if (_key(d) <= key if inclusive else _key(d) < key)][-1:]
            state = self._fold(events, end, None, max(last, key=_key)) if last else HouseholdState()
            inhouse.settle(state, at)
            channel = (
                self._fold_channel(person, None, through=event)
                if inclusive
                else self._fold_channel(person, None, before=event)
            )
            verdicts.append(self._verdict(customer, at, state, channel))
        return verdicts[0], verdicts[1]

    def verdicts(self, at: datetime | None = None) -> dict[str, Verdict]:
        """Rebuild every customer's verdict in one pass (at `at`, or after the last event)."""
        moment = at or self._last
        if moment is None:
            raise ValueError("no events and no moment to judge at")
        return self.verdicts_at(dict.fromkeys(self.identity.household, moment))

    def verdicts_at(self, moments: Mapping[str, datetime]) -> dict[str, Verdict]:
        """Judge many customers, each at its own moment: a household is folded once per moment.

        A rebuild and `verify` judge every stored verdict at the moment it was judged at, because
        time alone moves a status (IH-4, IH-5); a household's members are mostly judged together.
        """
        return self._judge_at(moments, self._verdict)

    def standings_at(self, moments: Mapping[str, datetime]) -> dict[str, Standing]:
        """As verdicts_at, the owners, status and channel only (verify compares these)."""
        return self._judge_at(moments, self._standing)

    def _judge_at(
        self, moments: Mapping[str, datetime], judge: Callable[[str, datetime, HouseholdState, ChannelState], J]
    ) -> dict[str, J]:
        household = self.identity.household
        by_root: dict[str, list[str]] = defaultdict(list)
        for cid in moments:
            if cid not in household:
                raise KeyError(cid)
            by_root[household[cid]].append(cid)
        result: dict[str, J] = {}
        with collector_paused():
            person = self.identity.person
            for root, members in by_root.items():
                if len(members) == 1:  # most households: one customer, one moment
                    cid = members[0]
                    at = moments[cid]
                    alone = self._fold_household(root, at, cache=False)
                    result[cid] = judge(cid, at, alone, self._fold_channel(person[cid], at))
                    continue
                states: dict[datetime, HouseholdState] = {}
                channels: dict[tuple[str, datetime], ChannelState] = {}
                for cid in members:
                    at = moments[cid]
                    state = states.get(at)
                    if state is None:
                        state = states[at] = self._fold_household(root, at, cache=False)
                    who = (person[cid], at)
                    channel = channels.get(who)
                    if channel is None:
                        channel = channels[who] = self._fold_channel(who[0], at)
                    result[cid] = judge(cid, at, state, channel)
        return result

    def _standing(self, customer: str, at: datetime, state: HouseholdState, channel: ChannelState) -> Standing:
        claim = state.claim
        return Standing(
            owners=dict(claim.owners) if claim is not None else None,
            status=state.status(),
            channel=None if channel is _NO_CHANNEL else self._channel_view(channel)[0],
            channel_status=channel.status(),
        )

    def _verdict(self, customer: str, at: datetime, state: HouseholdState, channel: ChannelState) -> Verdict:
        reasons: list[Reason] = []
        events: list[str] = []
        claim = state.claim
        status = state.status()
        until: datetime | None = None
        if claim is not None:
            if claim.member is not None and claim.member != customer:
                # IH-10: a household's claim, made through one member, is every member's
                same = self.identity.person.get(claim.member) == self.identity.person[customer]
                if not same:
                    reasons.append(reason("household", None, member=claim.member))
                reasons.append(
                    reason(
                        "same_record" if same else "first_contact_member",
                        claim.events[0],
                        owner=one_or_many(claim.owners),
                        member=claim.member,
                        at=claim.start,
                    )
                )
            reasons.extend(claim.reasons)
            events.extend(claim.events)
            if claim.kept is not None:  # IH-7: the latest contest the owner survived
                contest_event, challenger, when, contact = claim.kept
                reasons.append(
                    reason(
                        "contest_kept",
                        contest_event,
                        staff=challenger,
                        at=when,
                        owner=one_or_many(claim.owners),
                        grace=self.policy.grace_days,
                        contact=contact,
                    )
                )
            if state.assists and state.assists[-1][2] >= claim.start:  # IH-11: say the latest assist
                assist_event, helper, when = state.assists[-1]
                reasons.append(reason("assist", assist_event, staff=helper, at=when, owner=one_or_many(claim.owners)))
            if claim.pending:
                until = claim.deadline
                reasons.append(reason("pending", None, deadline=claim.deadline))
            else:
                until = claim.valid_until
                if claim.lapsed:
                    reasons.append(reason("lapsed", None, until=claim.valid_until, owner=one_or_many(claim.owners)))
                else:
                    reasons.append(reason("valid_until", None, until=claim.valid_until))
        elif state.pool is not None:
            reasons.append(state.pool)
            if state.pool.event:
                events.append(state.pool.event)
            if state.renewal_ignored is not None:  # IH-6: a renewal asked of the pool is ignored
                reasons.append(state.renewal_ignored)
        elif state.ended is not None:
            ended = state.ended
            reasons.append(
                reason(
                    "void", ended.events[0], owner=one_or_many(ended.owners), at=ended.start, deadline=ended.deadline
                )
            )
            if state.renewal_ignored is not None:  # IH-6: the renewal that neither followed up nor revived
                reasons.append(state.renewal_ignored)
            late = [a for a in state.assists if a[2] >= ended.start]
            if late:
                assist_event, helper, when = late[-1]
                reasons.append(
                    reason("assist_no_claim", assist_event, staff=helper, at=when, owner=one_or_many(ended.owners))
                )
            events.extend(ended.events)
        else:
            reasons.extend(state.history)
            if state.renewal_ignored is not None:  # IH-6: nobody's claim to renew
                reasons.append(state.renewal_ignored)
            reasons.append(_FREE)
        if channel is _NO_CHANNEL:  # most customers: never brought by a distributor
            channel_shares, channel_until = None, None
            channel_events: list[str] = []
            reasons.append(_NO_DISTRIBUTOR)
        else:
            channel_shares, channel_until, channel_reasons, channel_events = self._channel_view(channel)
            reasons.extend(channel_reasons)
        if self._masked:
            reasons.extend(self._masked_candidates(customer))
        for other in self.identity.pending_with.get(customer, ()):
            reasons.append(reason("unverified_relation", None, a=customer, b=other))
        if self._agent_registrations:  # D-14: shown beside the verdict, never deciding it
            reasons.extend(signal.reason for signal in self.risk_signals(customer, at))
        events.extend(channel_events)
        return Verdict(
            customer=customer,
            at=at,
            owners=dict(claim.owners) if claim is not None else None,
            status=status,
            until=until,
            channel=channel_shares,
            channel_status=channel.status(),
            channel_until=channel_until,
            reasons=tuple(reasons),
            events=tuple(dict.fromkeys(events)) if len(events) > 1 else tuple(events),
            policy_version=self._version,
            describer=self.describer,
        )

    def _needs_verification(self, deal: Deal) -> list[Reason]:
        # D-10: a relation nobody has verified does not count yet
        kind = self.identity.pending_relation(deal.customer, deal.buyer)
        return [reason("d_needs_verification", deal.id, a=deal.customer, b=deal.buyer)] if kind else []

    def _masked_candidates(self, customer: str) -> list[Reason]:
        """ID-2: masked records that could be this customer are shown, never merged."""
        phone = self.cast.customers[customer].phone
        if not self._masked or not phone or "*" in phone:
            return []
        masks = Phone.of(phone).masks()
        masked = [cid for mask in masks for cid in self._masked.get(mask, ()) if cid != customer]
        return [reason("masked_candidate", None, records=masked)] if masked else []

    @staticmethod
    def _channel_view(state: ChannelState) -> tuple[Shares | None, datetime | None, list[Reason], list[str]]:
        claim = state.claim
        if claim is not None:
            reasons = [*claim.reasons, reason("d_protected", None, until=claim.expiry), *state.notes]
            return dict(claim.agents), claim.expiry, reasons, list(claim.events)
        if state.lapsed is not None:
            lapsed = state.lapsed
            reasons = [*lapsed.reasons, reason("d_public", None, until=lapsed.expiry), *state.notes]
            return None, lapsed.expiry, reasons, []
        if state.voided:
            return None, None, [*state.voided, *state.notes], [r.event for r in state.voided if r.event]
        if state.held:  # D-11 (report_visit): registered, not yet brought; the claim starts at the visit
            held = state.held[-1]
            return None, None, [reason("d_registered", held.event, agent=held.agent, until=held.until)], [held.event]
        return None, None, [_NO_DISTRIBUTOR], []

    # -- registrations and risk (D-11..D-14) ----------------------------------------------------

    def registration(self, event_id: str) -> RegistrationVerdict:
        """A registration as judged when it was made: accepted until when, or refused and why (D-12)."""
        event = self._asked_by_id.get(event_id)
        if not isinstance(event, Registration):
            raise KeyError(event_id)
        state = self._fold_channel(self.identity.person[event.customer], None, through=event)
        outcome = state.outcomes[event_id]
        reasons = [*outcome.reasons]
        if outcome.accepted and self.policy.protection_scheme != "visit":
            reasons.append(
                reason(
                    "r_scheme",
                    None,
                    scheme=_SCHEMES[self.policy.protection_scheme][0],
                    scheme_en=_SCHEMES[self.policy.protection_scheme][1],
                )
            )
        # No risk signal here: what a registration answer says may reach the agent, who must learn
        # nothing of others (D-12); D-14's signals are for the channel manager, beside the verdict.
        return RegistrationVerdict(
            registration=event_id,
            accepted=outcome.accepted,
            refusal=outcome.refusal,
            until=outcome.until,
            reasons=tuple(reasons),
            describer=self.describer,
        )

    def registration_status(
        self, event_id: str, at: datetime, stages: Mapping[str, str] | None = None
    ) -> RegistrationStatus:
        """A registration as its agent sees it at `at`, in the trade's words (D-11..D-13).

        `stages` says where each deal (by its event id) stands in sales control (decision 482): a deal
        credited to the agent's channel is 已认购 while its deposit is taken and not yet signed, 已签约 once
        signed (or when sales control does not know it), and counts for nothing once the unit is returned.

        Only what concerns the agent's own registration is said: their protection, their visit, a
        deal credited to them. Whoever else holds the customer is never named (D-12): the agent reads
        only that their registration no longer protects.
        """
        event = self._indexed().get(event_id)
        if not isinstance(event, Registration):
            raise KeyError(event_id)
        judged = self.registration(event_id)

        def status(standing: str, ends: datetime | None, code: str, **params: object) -> RegistrationStatus:
            reasons = (reason(code, event_id, **params),)
            return RegistrationStatus(
                registration=event_id, word=standing, until=ends, reasons=reasons, describer=self.describer
            )

        if not judged.accepted:
            word = judged.refusal or distributor.INVALID
            english = f"{word} ({distributor.REFUSALS_EN.get(word, word)})"
            return status(distributor.INVALIDATED, None, "a_refused", word=word, word_en=english)
        agent, person = event.agent, self.identity.person[event.customer]
        root = self.identity.household[event.customer]
        for deal in self._household_events.get(root, ()):
            if type(deal) is Deal and event.at <= deal.at <= at:
                stage = (stages or {}).get(deal.id, distributor.DEAL_SIGNED)
                if stage == distributor.DEAL_RETURNED:  # 退房: the agent's word is their claim's again
                    continue
                channel, _ = self._deal_channel(deal)
                if channel and agent in channel:  # D-2, D-5: the deal is credited to this agent's channel
                    if stage == distributor.DEAL_SUBSCRIBED:
                        return status(distributor.SUBSCRIBED, None, "a_subscribed", at=deal.at)
                    return status(distributor.SIGNED, None, "a_signed", at=deal.at)
        state = self._fold_channel(person, at)
        escorted = any(
            type(e) is EscortedVisit and e.agent == agent and event.at <= e.at <= at
            for e in self._escorts.get(person, ())
        )
        claim = state.claim
        if claim is not None and agent in claim.agents:
            if escorted:
                return status(distributor.VISITED, claim.expiry, "a_visited", until=claim.expiry)
            return status(distributor.REGISTERED, claim.expiry, "a_registered", until=claim.expiry)  # D-11 report
        if claim is None and state.lapsed is not None and agent in state.lapsed.agents:  # D-3: unrenewed
            return status(distributor.PUBLIC_WORD, state.lapsed.expiry, "a_public", until=state.lapsed.expiry)
        for held in state.held:  # D-11 report_visit: registered, not yet brought
            if held.event == event_id and held.start <= at <= held.until:
                return status(distributor.REGISTERED, held.until, "a_registered", until=held.until)
        if escorted and claim is None and state.voided:  # D-1, D-7, D-11: the visit was the house's
            return status(distributor.INVALIDATED, None, "a_void")
        if claim is None and judged.until is None and not escorted:  # D-11 visit: a record, not yet a claim
            return status(distributor.REGISTERED, None, "a_registered_visit")
        if judged.until is not None and at > judged.until:
            return status(distributor.LAPSED, judged.until, "a_lapsed", until=judged.until)
        return status(distributor.LAPSED, None, "a_ended")

    def risk_signals(self, customer: str, at: datetime | None = None) -> list[RiskSignal]:
        """D-14: what the channel manager should look at about a customer; never changes a verdict."""
        if not self._agent_registrations:
            return []
        household = self.identity.household
        root = household[customer]
        members = self._members(root)
        registrations = [
            event
            for person in dict.fromkeys(self.identity.person[m] for m in members)
            for event in self._escorts.get(person, ())
            if type(event) is Registration and (at is None or event.at <= at)
        ]
        if not registrations:
            return []
        signals: list[RiskSignal] = []
        window = timedelta(hours=self.policy.risk_window_hours)
        deals = [e for e in self._household_events.get(root, ()) if type(e) is Deal and (at is None or e.at <= at)]
        for event in registrations:
            assert isinstance(event, Registration)
            record = self.cast.customers[event.customer]
            typed_name = event.name is not None and _other_name(normalise_name(event.name), record.name)
            typed = distributor.read_typed_phone(event.phone, "full") if event.phone is not None else None
            typed_phone = typed is not None and record.phone is not None and typed.e164 != record.phone
            if typed_name or typed_phone:  # the record no longer says what was registered
                signals.append(
                    RiskSignal(
                        code="risk_details",
                        events=(event.id,),
                        reason=reason("risk_details", event.id, agent=event.agent, at=event.at),
                    )
                )
            for deal in deals:
                if event.at <= deal.at <= event.at + window:
                    signals.append(
                        RiskSignal(
                            code="risk_deal_soon",
                            events=(event.id, deal.id),
                            reason=reason(
                                "risk_deal_soon",
                                deal.id,
                                agent=event.agent,
                                registered=event.at,
                                at=deal.at,
                                hours=self.policy.risk_window_hours,
                            ),
                        )
                    )
        firms = {self.cast.agents[e.agent].distributor or e.agent for e in registrations if isinstance(e, Registration)}
        if len(firms) > 1:
            signals.append(
                RiskSignal(
                    code="risk_several",
                    events=tuple(e.id for e in registrations),
                    reason=reason("risk_several", None, firms=sorted(firms), count=len(firms)),
                )
            )
        return signals

    def _members(self, root: str) -> list[str]:
        """The customers of one household (built once, only for projects with registrations)."""
        if self._households is None:
            by_root: dict[str, list[str]] = defaultdict(list)
            for cid, group in self.identity.household.items():
                by_root[group].append(cid)
            self._households = dict(by_root)
        return self._households.get(root, [root])

    # -- deals ---------------------------------------------------------------------------------

    def deal(self, deal_id: str, as_of: datetime | None = None) -> DealVerdict:
        """Split a deal: performance, commission and channel (C-1..C-7, D-2..D-6, IH-13)."""
        deal = self._asked_by_id.get(deal_id)
        if not isinstance(deal, Deal):
            raise KeyError(deal_id)
        snapshot = self._deal_snapshot(self.identity.household[deal.buyer], deal)
        moment = as_of or self._last
        departures = {d.staff: d for d in self._departures if moment is None or d.at <= moment}
        split = split_inhouse(snapshot, self.cast, self.policy, departures)
        channel, channel_reasons = self._deal_channel(deal)
        reasons = [*split.reasons, *channel_reasons]
        if channel is not None and len(channel) > 1:  # C-6: D-9's split, in equal shares
            reasons.append(reason("c_distributor_split", deal.id, agents=list(channel)))
        return DealVerdict(
            deal=deal_id,
            performance=split.performance,
            commission=split.commission,
            pool=split.pool,
            channel=channel,
            fines=split.fines,
            points=split.points,
            suspensions=split.suspensions,
            reasons=tuple(reasons),
            policy_version=self._version,
            describer=self.describer,
        )

    def _deal_snapshot(self, root: str, deal: Deal) -> DealSnapshot:
        """What the household's claim was when the deal was signed (C-1..C-7 split from it).

        A household already judged past the deal took this snapshot on the way, as a fold through the
        deal takes it: a replay asks of every deal after judging every customer. Not where a visit was
        corrected (a whole fold reads it as corrected, a fold up to the deal as it was then).
        """
        cached = self._states.get(root)
        if cached is not None and not self._superseded:
            snapshot = cached[1].deals.get(deal.id)
            if snapshot is not None:
                return snapshot
        return self._fold_household(root, None, through=deal).deals[deal.id]

    def _deal_channel(self, deal: Deal) -> tuple[Shares | None, list[Reason]]:
        person = self.identity.person
        confirmed, buyer = person[deal.customer], person[deal.buyer]
        buyer_state = self._fold_channel(buyer, None, before=deal)
        # D-5: the buyer's own confirmation, or a verified spouse/parent/child/partner/sibling's.
        candidates: list[tuple[datetime, int, str, ChannelClaim]] = []
        if buyer_state.claim is not None:
            candidates.append((buyer_state.claim.start, 0, buyer, buyer_state.claim))
        for relative in sorted(self.identity.relatives(buyer, NAMED_BUYER_KINDS)):
            relative_state = self._fold_channel(relative, None, before=deal)
            if relative_state.claim is not None:
                candidates.append((relative_state.claim.start, 1, relative, relative_state.claim))
        if candidates:
            _start, _, holder, claim = min(candidates, key=lambda c: (c[0], c[1], c[2]))
            reasons = list(claim.reasons)
            if holder != buyer:
                kind = self.identity.relation_kind(holder, buyer) or "spouse"
                reasons.append(
                    reason(
                        "d_named_buyer",
                        deal.id,
                        confirmed=holder,
                        buyer=buyer,
                        **_kind_words(kind),
                        agent=one_or_many(claim.agents),
                    )
                )
            elif confirmed != buyer or len(candidates) > 1:
                reasons.append(reason("d_buyer_own", deal.id, buyer=buyer, agent=one_or_many(claim.agents)))
            return dict(claim.agents), reasons
        if confirmed != buyer:
            confirmed_state = self._fold_channel(confirmed, None, before=deal)
            if confirmed_state.claim is not None:
                companion = self.identity.relation_kind(confirmed, buyer)
                if deal.on_the_spot and not buyer_state.escorted:
                    if companion is not None:  # D-6: a verified companion who bought on the spot
                        return dict(confirmed_state.claim.agents), [
                            *confirmed_state.claim.reasons,
                            reason(
                                "d_companion",
                                deal.id,
                                buyer=buyer,
                                confirmed=confirmed,
                                **_kind_words(companion),
                                agent=one_or_many(confirmed_state.claim.agents),
                            ),
                        ]
                    return None, [
                        reason("d_companion_unverified", deal.id, buyer=buyer, confirmed=confirmed),
                        *self._needs_verification(deal),
                    ]
                return None, [
                    reason("d_named_buyer_unverified", deal.id, confirmed=confirmed, buyer=buyer),
                    *self._needs_verification(deal),
                ]
            buyer_state = confirmed_state if not buyer_state.escorted else buyer_state
        if buyer_state.lapsed is not None:
            return None, [
                *buyer_state.lapsed.reasons,
                reason("d_expired_at_deal", deal.id, at=deal.at, until=buyer_state.lapsed.expiry),
            ]
        if buyer_state.voided:
            return None, list(buyer_state.voided)
        return None, [_NO_DISTRIBUTOR]


__all__ = ["Timeline"]


def _other_name(typed: str, recorded: str) -> bool:
    """Whether a registered name is not the record's: another surname, or another full name (D-14).

    "张先生" for 张伟 is how agents register a surname only, not a different person.
    """
    if typed == recorded:
        return False
    if typed[:1] != recorded[:1]:
        return True
    return not typed.endswith(("先生", "女士", "小姐")) and len(typed) > 1


def _kind_words(kind: str) -> dict[str, str]:
    """A relation's kind in both languages, for a reason's sentence."""
    return {"kind": KIND_ZH[kind], "kind_en": KIND_EN[kind]}
