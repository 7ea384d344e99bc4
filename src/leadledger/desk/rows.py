"""The desk search's matches drawn in Python, as `desk/results.html` draws them (the same HTML, byte for byte).

Twenty matches through the template's loop, its tags and an included template per match's relations
were a third of the search fragment's time (docs/benchmarks.md, issue 14); the template keeps its loop
for the desk page that shows a refused registration, and tests/desk/test_rows.py holds the two alike.
What a row says is decided before it is drawn (desk.views._results_context: the name and phone as
the viewer may see them, the owner's presence from the engine's desk); this only escapes and joins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from leadledger.web.selectors import agent_names
from leadledger.web.templatetags.web import relation_label, request_chips


def _where(presence: str | None) -> str:
    if presence == "on_site":
        return _("on site")
    if presence == "busy":
        return _("busy")
    return _("away")


def _relations(relations: Iterable[tuple[Any, Any]]) -> str:
    """`desk/relations.html` with verify=False: each relation and whether it waits to be verified (ID-4)."""
    rows = []
    for relation, other in relations:
        said = _("%(kind)s: %(name)s") % {
            "kind": conditional_escape(relation_label(relation.kind)),
            "name": conditional_escape(other.name),
        }
        pending = (
            f'<span class="pending">{conditional_escape(_("pending verification: changes no ownership (ID-4)"))}</span>'
            if not relation.verified
            else ""
        )
        rows.append(f"\n  <li>{said}{pending}\n  </li>\n")
    return f'<ul class="relations">{"".join(rows)}</ul>\n'


def match_row(match: Mapping[str, Any], chip: Callable[..., str]) -> str:
    """One match's `<li>`, as the template's loop draws it (`match` as `_results_context` builds it; `chip`:
    the page's `request_chips`)."""
    verdict = getattr(match["customer"], "verdict", None)
    presence = ""
    if match["owner"]:
        said = _("%(name)s: %(where)s") % {
            "name": conditional_escape(match["owner"]),
            "where": conditional_escape(_where(match["presence"])),
        }
        presence = f'<div class="presence {conditional_escape(match["presence"])}">{said}</div>'
    relations = _relations(match["relations"]) if match["relations"] else ""
    return (
        f'\n  <li class="match">\n    <div><strong>{conditional_escape(match["name"])}</strong>'
        f' <span class="mono">{conditional_escape(match["phone"])}</span></div>\n'
        f"    {chip(verdict)}\n"
        f"    {presence}\n"
        f"    {relations}\n"
        f"{match['forms']}\n  </li>\n"
    )


def match_rows(request: Any, matches: Iterable[Mapping[str, Any]]) -> SafeString:
    """Every match's row, in order (each match with its stamped `forms`).

    The agents the chips name are read in one query, those alone (the chip tag reads all of a project's,
    some hundreds, for a page of chips)."""
    matches = list(matches)
    verdicts = [getattr(match["customer"], "verdict", None) for match in matches]
    agents = agent_names(request.project, [agent for v in verdicts if v is not None for agent in v.channel or {}])
    chip = request_chips(request, agents=agents)
    return mark_safe("".join(match_row(match, chip) for match in matches))
