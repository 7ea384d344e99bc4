"""The channel team's marks on D-14's risk signals (decision 483): looked at, or dealt with, with a note.

A signal never changes a verdict (D-14); the mark records that someone looked, who, when and what they found.
"""

from __future__ import annotations

from datetime import datetime

from leadledger import capabilities
from leadledger.engine.errors import DomainError
from leadledger.engine.text import note_checked
from leadledger.ledger import models

from . import case_selectors
from .models import SignalMark


def signal_mark(*, staff: models.Staff, key: str, state: str, note: str, now: datetime) -> SignalMark:
    """Mark one of the signals the team's page lists now (named by `Signal.key`); the marks are kept, never edited."""
    capabilities.require(staff, capabilities.MANAGE_CHANNEL)
    if state not in SignalMark.State.values:
        raise DomainError("请选择已查看或已处理", "choose looked at or dealt with", field="state")
    note = note_checked(note).strip()
    if not note:
        raise DomainError("请写下查看或处理的情况", "say what was looked at or done", field="note")
    signal = next((s for s in case_selectors.risk_signals(staff.project, now, "zh") if s.key == key), None)
    if signal is None:  # another project's, or one no longer found: nothing to mark
        raise DomainError("没有这条风控提示", "there is no such risk signal", field="note")
    return SignalMark.objects.create(
        project=staff.project,
        code=signal.code,
        events=case_selectors.events_key(signal.events),
        state=state,
        note=note,
        by=staff,
    )
