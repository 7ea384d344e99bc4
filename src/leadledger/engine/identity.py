"""Who is "the same customer": phones, masks, ID numbers, persons and households (ID-1..ID-4)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import EngineError
from .model import Customer, Relation, joins_household
from .phone import DEFAULT_MODE, Phone


def parse_mask(raw: str) -> Phone | None:
    """A masked number such as 138****5678 or 1380****678, or None (ID-2). Kept for the public API."""
    try:
        phone = Phone.parse(raw)
    except EngineError:
        return None
    return phone if phone.is_mask else None


def normalise_phone(raw: str) -> str:
    """The E.164 form (+8613800000001) of a mainland mobile number (ID-1). Kept for the public API."""
    return Phone.parse(raw, masks=False).value


def phone_key(raw: str) -> str:
    """The stored form of a phone: E.164 when complete, the mask when masked (ID-2)."""
    return Phone.parse(raw).value


def mask_phone(e164: str, mode: str = DEFAULT_MODE) -> str:
    """A stored number as a person without the right to see it reads it. Kept for the public API."""
    return Phone.of(e164).masked(mode)


@dataclass(frozen=True, slots=True)
class Query:
    """What a search at the desk or on the customer list means (IH-18, ID-1, ID-2).

    `kind` is "phone" (a full mobile), "mask", "digits" (digits that are neither: they match
    nobody, and are never taken for a new customer's phone), "latin" (pinyin or initials, lower
    case) or "name" (the start of a name); "" for an empty query.
    """

    kind: str
    text: str
    phone: Phone | None = None


_DIGITS = re.compile(r"[\d\s+\-()（）＋*＊·.]+")


@functools.lru_cache(maxsize=1024)  # a search's page reads its query some forty times (each match's marks)
def search_query(raw: str) -> Query:
    """Read a search: a full phone or a mask first, then digits, Latin letters, a name."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return Query("", "")
    try:
        phone = Phone.parse(text)
    except EngineError:
        phone = None
    if phone is not None:
        return Query("mask" if phone.is_mask else "phone", text, phone)
    if any(ch.isdigit() for ch in text) and _DIGITS.fullmatch(text):
        return Query("digits", text)
    name = normalise_name(text)
    if re.fullmatch(r"[A-Za-z]+", name):  # zhangwei, zw
        return Query("latin", name.lower())
    return Query("name", name)


def normalise_id_number(raw: str) -> str:
    """Validate a resident ID number (身份证) and return its compact form."""
    # Imported when first needed: python-stdnum brings ssl with it, half of `leadledger replay`'s
    # start-up, and most timelines carry no ID number.
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError

    try:
        return str(ric.validate(unicodedata.normalize("NFKC", raw)))
    except ValidationError:
        raise EngineError(f"无效的身份证号码：{raw}", f"not a valid resident ID number: {raw}") from None


_SPACES = re.compile(r"\s+")


def normalise_name(raw: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", raw))


def name_spellings(name: str) -> tuple[str, str]:
    """A name's pinyin and initials, for the ask-first search (IH-18): 张伟 → ("zhangwei", "zw")."""
    from pypinyin import lazy_pinyin

    clean = normalise_name(name)
    syllables = [s.lower() for s in lazy_pinyin(clean) if s.strip()]
    return "".join(syllables)[:100], "".join(s[0] for s in syllables)[:30]


class UnionFind:
    """Groups of ids joined pairwise; a group is named by its smallest id, the same on every run.

    Sparse: an id never joined to another is its own group and costs nothing, so a million
    customers of whom a few thousand are related cost a few thousand entries.
    """

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self.parent
        if item not in parent:
            return item
        root = item
        while root in parent:
            root = parent[root]
        while item in parent and parent[item] != root:
            parent[item], item = root, parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller id becomes the root so that groups are named the same on every run.
            low, high = sorted((ra, rb))
            self.parent[high] = low

    def groups(self, items: Iterable[str]) -> dict[str, str]:
        """Each item's group, for many items at once."""
        parent, find = self.parent, self.find
        return {item: find(item) if item in parent else item for item in items}


class Identity:
    """Persons (records that are one human being) and households (one customer in-house)."""

    def __init__(self, customers: dict[str, Customer], relations: Iterable[Relation]) -> None:
        relations = list(relations)
        for relation in relations:
            for end in (relation.a, relation.b):
                if end not in customers:
                    raise KeyError(end)
        persons = UnionFind()
        by_key: dict[str, str] = {}
        for customer in customers.values():
            # ID-1: an exact phone (or ID number) shared by two records makes them one person.
            # A mask never merges: it stays a candidate for the person judging (ID-2).
            for key in (customer.phone, customer.id_number):
                if key is None or "*" in key:
                    continue
                if key in by_key:
                    persons.union(by_key[key], customer.id)
                else:
                    by_key[key] = customer.id
        verified = [r for r in relations if r.verified]  # ID-4
        for relation in verified:
            if relation.kind == "same_person":
                persons.union(relation.a, relation.b)
        households = UnionFind()
        for cid in list(persons.parent):  # a person's records are one household
            households.union(cid, persons.find(cid))
        for relation in verified:
            if joins_household(relation.kind):  # ID-3
                households.union(relation.a, relation.b)
        self.person = persons.groups(customers)
        self.household = households.groups(customers)
        # Direct verified relations between persons, by kind (D-1, D-5, D-6 look one step only).
        self.related: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for relation in verified:
            if relation.kind == "same_person":
                continue
            pa, pb = self.person[relation.a], self.person[relation.b]
            if pa != pb:
                self.related[pa][relation.kind].add(pb)
                self.related[pb][relation.kind].add(pa)
        self.unverified: dict[frozenset[str], str] = {}
        self.pending_with: dict[str, list[str]] = defaultdict(list)
        for relation in relations:
            if not relation.verified:
                self.unverified[frozenset((relation.a, relation.b))] = relation.kind
                self.pending_with[relation.a].append(relation.b)
                self.pending_with[relation.b].append(relation.a)

    def relatives(self, person: str, kinds: Iterable[str]) -> set[str]:
        """Persons directly related to `person` by a verified relation of one of `kinds`."""
        by_kind = self.related.get(person)
        if not by_kind:
            return set()
        found: set[str] = set()
        for kind in kinds:
            found |= by_kind.get(kind, set())
        return found

    def pending_relation(self, a: str, b: str) -> str | None:
        """The kind of an unverified relation between two records, if one was entered (D-10)."""
        return self.unverified.get(frozenset((a, b)))

    def relation_kind(self, a: str, b: str) -> str | None:
        """The verified relation between two persons, if any ('same_person' when they are one)."""
        if a == b:
            return "same_person"
        for kind, others in self.related.get(a, {}).items():
            if b in others:
                return kind
        return None


class Directory:
    """Find customers by phone, masked phone or name, for the ask-first search (IH-18, ID-1, ID-2)."""

    def __init__(self, customers: Iterable[Customer]) -> None:
        self.by_phone: dict[str, list[Customer]] = defaultdict(list)
        # Every mask a stored number may be written as, and every stored mask: the candidates (ID-2).
        self.by_mask: dict[str, list[Customer]] = defaultdict(list)
        self.by_name: dict[str, list[Customer]] = defaultdict(list)
        for customer in customers:
            self.add(customer)

    def add(self, customer: Customer) -> None:
        if customer.phone:
            phone = Phone.of(customer.phone)
            if not phone.is_mask:
                self.by_phone[phone.value].append(customer)
            for mask in phone.masks():
                self.by_mask[mask].append(customer)
        self.by_name[normalise_name(customer.name)].append(customer)

    def search(self, query: str, *, surname: str | None = None) -> list[Customer]:
        """Candidates for a phone, a mask or a name; exact phone matches first (ID-1)."""
        asked = search_query(query)
        if asked.phone is not None and asked.phone.is_mask:
            found = list(self.by_mask.get(asked.phone.value, []))
            if surname:
                found = [c for c in found if normalise_name(c.name).startswith(normalise_name(surname))]
            return found
        if asked.phone is not None:
            exact = list(self.by_phone.get(asked.phone.value, []))
            # A stored mask could be this number too: shown after the exact matches, never merged (ID-2).
            masked = [
                c
                for mask in asked.phone.masks()
                for c in self.by_mask.get(mask, [])
                if c.phone and Phone.of(c.phone).is_mask
            ]
            return exact + masked
        if asked.kind == "digits":
            return []
        return list(self.by_name.get(normalise_name(query), []))
