"""Which part of a search result the receptionist's query matched, marked in the page (escaped first).

Display only: what a query *finds* is `ledger.selectors.customer_search`'s; this says where in the
shown name or (masked) phone the match is, so the eye lands on it.
"""

from __future__ import annotations

import html

from django.utils.html import escape, format_html
from django.utils.safestring import SafeData, SafeString, mark_safe

from leadledger.engine import search_query
from leadledger.engine.identity import normalise_name


def _marked(text: str, start: int, end: int) -> SafeString:
    if start >= end:
        return escape(text)
    if isinstance(text, SafeData):  # already HTML: as format_html leaves it
        return format_html("{}<mark>{}</mark>{}", text[:start], text[start:end], text[end:])
    # Each part escaped, as format_html escapes a text (joined directly: twenty matches mark forty texts a search).
    return mark_safe(f"{html.escape(text[:start])}<mark>{html.escape(text[start:end])}</mark>{html.escape(text[end:])}")


def _syllables(name: str) -> list[str]:
    from pypinyin import lazy_pinyin

    return [s.lower() for s in lazy_pinyin(name)]


def name_marked(name: str, query: str) -> SafeString:
    """The name with the characters the query matched marked: a name's start, its initials or its pinyin."""
    asked = search_query(query)
    if asked.kind == "name":
        return _marked(name, 0, len(asked.text)) if normalise_name(name).startswith(asked.text) else escape(name)
    if asked.kind != "latin" or not name:
        return escape(name)
    syllables = _syllables(name)
    if len(syllables) != len(name):  # letters or spaces in the name: the characters do not line up
        return escape(name)
    initials = "".join(s[:1] for s in syllables)
    if initials.startswith(asked.text):
        return _marked(name, 0, len(asked.text))
    spelled, covered = "", 0
    for syllable in syllables:  # the characters whose pinyin the typed prefix reaches into
        if len(spelled) >= len(asked.text):
            break
        spelled += syllable
        covered += 1
    return (
        _marked(name, 0, covered) if spelled.startswith(asked.text) or asked.text.startswith(spelled) else escape(name)
    )


def phone_marked(shown: str, query: str) -> SafeString:
    """The phone as shown (masked or not) with the digits the query named marked: its last four."""
    asked = search_query(query)
    if asked.phone is None or len(shown) < 4 or not shown[-4:].isdigit():
        return escape(shown)
    return _marked(shown, len(shown) - 4, len(shown)) if asked.phone.value.endswith(shown[-4:]) else escape(shown)
