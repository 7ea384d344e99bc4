"""Speaking the user's language where the words come from the services and the engine (zh, en pairs)."""

from __future__ import annotations

from typing import Protocol

from django.utils.translation import get_language


class Bilingual(Protocol):
    zh: str
    en: str


def lang() -> str:
    """The engine's language code for the request's language: "zh" (the default) or "en"."""
    return "zh" if (get_language() or "zh").startswith("zh") else "en"


def pick(zh: str, en: str) -> str:
    return zh if lang() == "zh" else en


def said(error: Bilingual) -> str:
    """A service's or the engine's refusal, in the user's language."""
    return pick(error.zh, error.en)
