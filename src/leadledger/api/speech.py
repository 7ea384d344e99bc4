"""The caller's language on the API: Accept-Language, Chinese unless English is preferred (zh-Hans default)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation.trans_real import parse_accept_lang_header

from leadledger.engine import distributor


def lang_of(request: HttpRequest) -> str:
    """ "zh" or "en": the first of the caller's languages that we speak; Chinese when none is."""
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")[:200]):
        if code.startswith("zh"):
            return "zh"
        if code.startswith("en"):
            return "en"
    return "zh"


# A stable code for each of the trade's words (D-11, D-12): a system branches on the code, a person reads the word.
WORD_CODES = {
    distributor.REGISTERED: "registered",
    distributor.VISITED: "visited",
    distributor.SUBSCRIBED: "subscribed",
    distributor.SIGNED: "signed",
    distributor.LAPSED: "lapsed",
    distributor.INVALIDATED: "void",
    distributor.PUBLIC_WORD: "public",
    distributor.CAP: "refused_daily_cap",
    distributor.INVALID: "refused_invalid_number",
    distributor.OWNER: "refused_owner",
    distributor.DUPLICATE: "refused_duplicate",
    distributor.TAKEN: "refused_taken",
    distributor.KNOWN: "refused_known",
}
# The same codes from the English words the selectors give in English.
WORD_CODES.update({en: WORD_CODES[zh] for zh, en in {**distributor.STANDING_EN, **distributor.REFUSALS_EN}.items()})


def word_code(word: str) -> str:
    return WORD_CODES.get(word, "other")
