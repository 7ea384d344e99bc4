"""Errors a user can fix, each carrying its message in Chinese and in English."""

from __future__ import annotations


class EngineError(ValueError):
    """Input the engine cannot accept; `path` points at the offending field (JSON path)."""

    def __init__(self, zh: str, en: str, *, path: str = "$") -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        self.path = path

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang.startswith("zh") else self.en

    def at(self, path: str) -> EngineError:
        """Return the same error located at `path`."""
        return EngineError(self.zh, self.en, path=path)


class PolicyError(EngineError):
    """A policy parameter that is unknown, of the wrong type or out of range."""
