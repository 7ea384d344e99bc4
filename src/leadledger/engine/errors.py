"""Errors a user can fix, each carrying its message in Chinese and in English."""

from __future__ import annotations

from typing import Self


class DomainError(ValueError):
    """The one error a user can fix, raised by the engine and by every service.

    It carries the message in Chinese and in English, and where it applies: `field`, the form field
    a page shows it next to ("" for the form as a whole), and `path`, a JSON path into a file.
    Nothing a user can type should surface as anything else.
    """

    def __init__(self, zh: str, en: str, *, path: str = "$", field: str = "") -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        self.path = path
        self.field = field

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang.startswith("zh") else self.en

    def _moved(self, **where: str) -> Self:
        # A copy rather than a new call: a subclass may take other arguments and carry more (its problems).
        moved = type(self).__new__(type(self), *self.args)
        moved.__dict__.update(self.__dict__, **where)
        return moved

    def at(self, path: str) -> Self:
        """Return the same error located at `path`."""
        return self._moved(path=path)

    def on(self, field: str) -> Self:
        """Return the same error shown next to the form field `field`."""
        return self._moved(field=field)


class EngineError(DomainError):
    """Input the engine cannot accept; `path` points at the offending field (JSON path)."""


class PolicyError(EngineError):
    """A policy parameter that is unknown, of the wrong type or out of range."""
