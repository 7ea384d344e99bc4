"""Chinese is complete: every English source string has its translation, and the compiled file agrees."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import leadledger

LOCALE = Path(leadledger.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def _entries() -> dict[str, str]:
    text = (LOCALE / "django.po").read_text("utf-8")
    found: dict[str, str] = {}
    for block in text.split("\n\n"):
        match = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if match:
            msgid, msgstr = ("".join(re.findall(r'"(.*)"', part)) for part in match.groups())
            context = re.search(r'^msgctxt "(.*)"$', block, re.M)  # stored as "context\x04msgid", as in the .mo
            if msgid:
                key = f"{context.group(1)}\x04{msgid}" if context else msgid
                found[key.replace('\\"', '"')] = msgstr.replace('\\"', '"')
    return found


def test_every_string_is_translated_and_none_is_fuzzy() -> None:
    entries = _entries()
    assert len(entries) > 50
    assert [k for k, v in entries.items() if not v] == []
    assert "#, fuzzy" not in (LOCALE / "django.po").read_text("utf-8")


def test_the_compiled_catalogue_matches_the_source() -> None:
    with (LOCALE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = [k for k, v in _entries().items() if catalogue.gettext(k) != v]
    assert stale == [], "run: cd src/leadledger && django-admin compilemessages"


def test_every_marked_string_in_the_code_is_in_the_catalogue() -> None:
    source = Path(leadledger.__file__).parent
    marked: set[str] = set()
    for path in [*source.rglob("*.py"), *source.rglob("*.html")]:
        text = path.read_text("utf-8")
        marked |= set(re.findall(r'\b_\("((?:[^"\\]|\\.)*)"\)', text))
        # A template's "%" is looked up doubled (django.templatetags.i18n), so its catalogue entry has "%%".
        marked |= {m.replace("%", "%%") for m in re.findall(r'{% translate "((?:[^"\\]|\\.)*)" %}', text)}
    missing = sorted(marked - set(_entries()))
    assert missing == [], (
        "run: cd src/leadledger && django-admin makemessages -l zh_Hans; translate; clear any fuzzy guess"
    )
