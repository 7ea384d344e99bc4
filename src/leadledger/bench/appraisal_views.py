"""The KSA appraisal page (W-7): the manager's team, each member's counted figures beside their appraisal."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from leadledger import capabilities
from leadledger.engine import competency as engine
from leadledger.engine import duties as d
from leadledger.engine.errors import DomainError
from leadledger.web import access
from leadledger.web.speech import pick, said

from . import appraisals
from .models import Level
from .views import FIGURE_WORDS

lead_page = access.capability_page(capabilities.LEAD_TEAM)
CADENCE_WORDS = {d.MONTHLY: ("月度", "Monthly"), d.QUARTERLY: ("季度", "Quarterly"), d.YEARLY: ("年度", "Yearly")}
FIELDS = ("staff", "post", *engine.AREAS, "comment")


@lead_page
def appraisal_list(request: access.ProjectRequest) -> HttpResponse:
    """W-7: appraise a team member for the month, quarter or year, beside what they did in it."""
    cadence = request.GET.get("cadence", request.POST.get("cadence", d.MONTHLY))
    cadence = cadence if cadence in engine.CADENCES else d.MONTHLY
    now = timezone.now()
    period = engine.period_for(cadence, "", timezone.localdate(now))
    form: dict[str, str] = {}
    error = None
    if request.method == "POST":
        form = {key: request.POST.get(key, "") for key in FIELDS}
        try:
            done = appraisals.appraisal_save(
                by=request.staff, fields={**form, "cadence": cadence, "period": period.name}
            )
        except DomainError as problem:
            error = {"field": problem.field, "message": said(problem), "general": problem.field not in FIELDS}
        else:
            level = pick(
                *engine.LEVEL_WORDS[engine.standing({a: getattr(done, a) for a in engine.AREAS}, done.post).level]
            )
            messages.success(
                request,
                pick(
                    f"已保存{done.staff.name}的{period.name}考核：{level}",
                    f"{done.staff.name}'s appraisal for {period.name} saved: {level}",
                ),
            )
            return redirect(f"{request.path}?cadence={cadence}")
    rows = []
    for member in appraisals.members(request.staff, period, now):
        standing = member.standing
        rows.append(
            {
                "m": member,
                "figures": [(pick(*FIGURE_WORDS[name]), member.figures.get(name, 0)) for name in FIGURE_WORDS],
                "level": pick(*engine.LEVEL_WORDS[standing.level]) if standing else "",
                "short": "、".join(pick(*engine.AREA_WORDS[a]) for a in standing.short) if standing else "",
                "meets": standing.meets_post if standing else None,
            }
        )
    context = {
        "cadence": cadence,
        "cadences": [(c, pick(*CADENCE_WORDS[c])) for c in engine.CADENCES],
        "period": period,
        "rows": rows,
        "levels": Level.choices,
        "areas": [(a, pick(*engine.AREA_WORDS[a])) for a in engine.AREAS],
        "form": form,
        "error": error,
    }
    return render(request, "bench/appraisals.html", context, status=422 if error else 200)
