"""Logging handlers named in settings.LOGGING."""

from __future__ import annotations

from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any


class RotatingFile(RotatingFileHandler):
    """A rotating log file whose folder is made when the first line is written, not when settings load."""

    def _open(self) -> Any:
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()
