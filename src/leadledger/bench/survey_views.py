"""The satisfaction survey page (W-5): ask one's own customers this month or quarter, record each answer;
a manager sees the figures of each member of the team."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from leadledger import capabilities
from leadledger.engine import duties as d
from leadledger.engine import surveys as engine
from leadledger.engine.errors import DomainError
from leadledger.web import access
from leadledger.web.speech import pick, said

from . import surveys
from .models import Survey

bench_page = access.capability_page(capabilities.WORKBENCH)

SHOWN = 10
CADENCE_WORDS = {d.MONTHLY: ("月度", "Monthly"), d.QUARTERLY: ("季度", "Quarterly")}


def _percent(share: object) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"  # type: ignore[operator]


@bench_page
def survey_list(request: access.ProjectRequest) -> HttpResponse:
    """W-5: this period's survey of one's own customers; the team's figures for a manager."""
    cadence = request.GET.get("cadence", request.POST.get("cadence", d.MONTHLY))
    cadence = cadence if cadence in engine.CADENCES else d.MONTHLY
    today = timezone.localdate()
    try:
        period = engine.period_for(cadence, request.GET.get("period", ""), today)
    except DomainError as wrong:
        messages.error(request, said(wrong))
        period = engine.period_for(cadence, "", today)
    here = f"{request.path}?cadence={cadence}&period={period.name}"
    if request.method == "POST":
        try:
            if request.POST.get("action") == "send":
                made = surveys.surveys_send(by=request.staff, cadence=cadence, period=period.name)
                messages.success(
                    request,
                    pick(
                        f"已向{len(made)}位客户发出{period.name}满意度调查",
                        f"{period.name} survey sent to {len(made)} customers",
                    ),
                )
            else:
                text = request.POST.get("survey", "")
                number = int(text) if text.isascii() and text.isdigit() else 0  # a typed id is not a 500
                found = get_object_or_404(Survey, pk=number, project=request.project)
                surveys.survey_answer(by=request.staff, survey=found, fields=request.POST.dict())
                messages.success(
                    request, pick(f"已记录{found.customer.name}的满意度", f"{found.customer.name}'s answer recorded")
                )
        except DomainError as problem:
            messages.error(request, said(problem))
        return redirect(here)
    rows = surveys.mine(request.staff, cadence, period.name)
    mine = surveys.figures_of(rows)
    team = None
    if capabilities.LEAD_TEAM in request.capabilities:
        team = [
            {
                "staff": row.staff,
                "f": row.figures,
                "rate": _percent(row.figures.satisfied),
                "response": _percent(row.figures.response),
            }
            for row in surveys.team_figures(request.staff, cadence, period.name)
        ]
    context = {
        "cadence": cadence,
        "cadences": [(c, pick(*CADENCE_WORDS[c])) for c in engine.CADENCES],
        "period": period,
        "earlier": d.period_of(cadence, period.first - timedelta(days=1)).name,
        "current": period.name == engine.period_for(cadence, "", today).name,
        # A phone's screen of unanswered ones at a time; the answered ones folded below (decision 462).
        "unanswered": [r for r in rows if r.score is None][:SHOWN],
        "more": max(sum(1 for r in rows if r.score is None) - SHOWN, 0),
        "answered": [r for r in rows if r.score is not None],
        "mine": mine,
        "mine_rate": _percent(mine.satisfied),
        "scores": [(s, pick(*engine.SCORE_WORDS[s])) for s in engine.SCORES],
        "score_words": {s: pick(*engine.SCORE_WORDS[s]) for s in engine.SCORES},
        "team": team,
    }
    return render(request, "bench/surveys.html", context)
