"""Thin views: check who is asking (access), read (selectors), write (services), render."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leadledger import capabilities
from leadledger.engine import model
from leadledger.imports import jobs as import_jobs
from leadledger.imports.models import ImportJob
from leadledger.imports.register import RegisterError
from leadledger.imports.services import import_limits, visible_nul
from leadledger.imports.tasks import import_job_run
from leadledger.imports.template import template_xlsx
from leadledger.ledger import lookups, models, services
from leadledger.ledger.sign_ins import sign_ins_failed

from . import access, selectors
from .forms import ImportForm, ReasonForm
from .speech import lang, said

see_page = access.capability_page(capabilities.SEE_CUSTOMERS)
approve_page = access.capability_page(capabilities.APPROVE)
import_page = access.capability_page(capabilities.IMPORT)


def healthz(request: HttpRequest) -> HttpResponse:
    """A bare view for a load balancer's check and the launch benchmark's baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = [
        staff
        for staff in models.Staff.objects.filter(user=request.user).select_related("project")
        if capabilities.capabilities_of(staff)  # not a project they have left (IH-13)
    ]
    rows = [(staff.project.name, staff.get_role_display(), landing(staff)) for staff in memberships]
    # A distributor's agent (issue 15) starts on their own page: register a customer, my customers.
    for agent in models.Agent.objects.filter(user=request.user).select_related("project").order_by("pk"):
        rows.append((agent.project.name, _("Agent"), reverse("agent_home", kwargs={"project": agent.project.code})))
    if len(rows) == 1:
        return redirect(rows[0][2])
    return render(request, "web/home.html", {"memberships": rows})


# Each role's own page: where its day starts, after signing in and at "/" (docs/decisions.md).
LANDING = {
    models.Staff.Role.RECEPTIONIST: "desk_home",
    models.Staff.Role.CONSULTANT: "mine",
    models.Staff.Role.MANAGER: "manage",
    models.Staff.Role.ADMIN: "manage",
}


def landing(staff: models.Staff) -> str:
    """The page a person's day starts on in this project; the customer list for roles without one of their own."""
    return reverse(LANDING.get(staff.role, "project"), kwargs={"project": staff.project.code})


@see_page
def project(request: access.ProjectRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    found: Any = selectors.customers_matching(request.project, "")  # everyone, newest first: no one looked up
    if query.strip():
        try:
            found = lookups.lookup(
                project=request.project,
                user=request.user,
                place=lookups.Place.CUSTOMERS,
                query=query,
                find=lambda: selectors.customers_matching(request.project, query),
            )
        except lookups.LookupRefused as refused:  # nothing was looked up: say when to search again
            context = {"page": None, "rows": [], "q": query, "refused": said(refused)}
            return render(request, "web/project.html", context, status=429)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    mode = selectors.phone_mode(request.project)
    rows = [(c, selectors.masked(c.phone, mode)) for c in page]
    return render(request, "web/project.html", {"page": page, "rows": rows, "q": query})


def _customer(request: access.ProjectRequest, pk: int) -> models.Customer:
    return get_object_or_404(models.Customer.objects.select_related("verdict"), pk=pk, project=request.project)


def _customer_page(request: access.ProjectRequest, customer: models.Customer, **extra: object) -> HttpResponse:
    verdict = getattr(customer, "verdict", None)
    names = selectors.staff_names(request.project)
    story_allowed = access.may_read_story(request.staff, verdict)
    context = {
        "customer": customer,
        "phone": selectors.masked(customer.phone, selectors.phone_mode(request.project)),
        "id_number": "****" if customer.id_number else "",
        "story": selectors.customer_story(customer, names) if story_allowed else None,
        "may_see_in_full": access.may_see_in_full(request.staff, verdict) and not customer.erased_at,
        "may_erase": capabilities.ERASE in request.capabilities and not customer.erased_at,
        "form": ReasonForm(),
        **extra,
    }
    return render(request, "web/customer.html", context)


@see_page
def customer(request: access.ProjectRequest, pk: int) -> HttpResponse:
    return _customer_page(request, _customer(request, pk))


@require_POST
@see_page
def customer_reveal(request: access.ProjectRequest, pk: int, field: str) -> HttpResponse:
    if field not in ("phone", "id_number"):
        raise Http404
    found = _customer(request, pk)
    if not access.may_see_in_full(request.staff, getattr(found, "verdict", None)):
        raise PermissionDenied
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _customer_page(request, found, form=form)
    try:
        value = services.personal_data_show(
            project=request.project, customer=found, user=request.user, field=field, reason=form.cleaned_data["reason"]
        )
    except services.LedgerError as error:
        messages.error(request, said(error))
        return redirect("customer", project=request.project.code, pk=pk)
    return _customer_page(request, found, revealed={field: value})


@require_POST
@access.capability_page(capabilities.ERASE)
def customer_erase(request: access.ProjectRequest, pk: int) -> HttpResponse:
    found = _customer(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _customer_page(request, found, erase_form=form)
    services.customer_erase(
        project=request.project, customer=found, user=request.user, reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("The customer's personal data has been erased; their history is kept."))
    return redirect("customer", project=request.project.code, pk=pk)


def _field_labels() -> dict[str, str]:
    return {
        "date": _("Date"),
        "time": _("Time"),
        "name": _("Customer name"),
        "phone": _("Phone"),
        "consultant": _("Consultant"),
        "kind": _("Kind of contact"),
        "notes": _("Notes"),
    }


def _kind_labels() -> dict[str, str]:
    return {model.VISIT: _("Visit"), model.CALL: _("Call"), model.FOLLOW_UP: _("Follow-up")}


@import_page
def imports(request: access.ProjectRequest) -> HttpResponse:
    import_jobs.import_jobs_tidy(project=request.project, lang=lang())
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["register"]
        try:
            job = import_jobs.import_job_upload(
                project=request.project, user=request.user, name=upload.name, content=upload.read()
            )
        except RegisterError as error:  # the file as a whole: said next to the field, nothing kept
            form.add_error("register", visible_nul(error.message(lang())))
        else:
            return redirect("import_job", project=request.project.code, pk=job.pk)
    too_large = request.GET.get("too_large", "")
    refused = None
    if request.method == "GET" and too_large.isascii() and too_large.isdigit():  # web/uploads.py refused it
        refused = ImportForm.too_large(int(too_large)).messages[0]
    jobs = (
        ImportJob.objects.filter(project=request.project)
        .exclude(status=ImportJob.Status.CANCELLED)
        .defer("content", "report", "preview", "rejected_first")
        .order_by("-pk")[:20]
    )
    context = {
        "form": form,
        "jobs": jobs,
        "refused": refused,
        "max_bytes": import_limits().max_bytes,
        "too_large": ImportForm.too_large_text("__SIZE__"),
    }
    return render(request, "web/imports.html", context)


@import_page
def import_template(request: access.ProjectRequest) -> HttpResponse:
    # The example row names someone an import may give a customer to: never a leaver nor a receptionist.
    candidates = capabilities.owner_candidates(request.project)
    consultant = candidates[0].name if candidates else None
    response = HttpResponse(
        template_xlsx(consultant=consultant),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    # The Chinese name (来访登记模板.xlsx) for browsers that read RFC 5987, an ASCII one for the others.
    chinese = quote("来访登记模板.xlsx")
    response["Content-Disposition"] = f"attachment; filename=\"register-template.xlsx\"; filename*=UTF-8''{chinese}"
    return response


def _job(request: access.ProjectRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.defer("content"), pk=pk, project=request.project)


@import_page
def import_job(request: access.ProjectRequest, pk: int) -> HttpResponse:
    import_jobs.import_jobs_tidy(project=request.project, lang=lang())
    job = _job(request, pk)
    template = "web/import_progress.html" if request.htmx else "web/import_job.html"  # type: ignore[attr-defined]
    context = {
        "job": job,
        "fields": _field_labels(),
        "kinds": _kind_labels(),
        "zh": lang().startswith("zh"),
        "again": job.status == ImportJob.Status.FAILED
        and ImportJob.objects.filter(pk=job.pk).exclude(content=b"").exists(),
    }
    return render(request, template, context)


@require_POST
@import_page
def import_confirm(request: access.ProjectRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if import_jobs.import_job_confirm(job=job):
        import_job_run.enqueue(job.pk, lang())
        messages.success(request, _("The import has started: the rows are checked again in full, then saved."))
    else:
        messages.info(request, _("This import was already confirmed or cancelled."))
    return redirect("import_job", project=request.project.code, pk=job.pk)


@require_POST
@import_page
def import_cancel(request: access.ProjectRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if import_jobs.import_job_cancel(job=job):
        messages.success(request, _("Import cancelled: nothing was saved and the uploaded file was deleted."))
    else:
        messages.info(request, _("This import was already confirmed or cancelled."))
    return redirect("imports", project=request.project.code)


@require_POST
@import_page
def import_again(request: access.ProjectRequest, pk: int) -> HttpResponse:
    again = import_jobs.import_job_again(job=_job(request, pk), user=request.user)
    if again is None:
        messages.info(request, _("This import cannot be run again: upload the file again."))
        return redirect("import_job", project=request.project.code, pk=pk)
    import_job_run.enqueue(again.pk, lang())
    messages.success(request, _("The import is running again: rows already saved are skipped, not saved twice."))
    return redirect("import_job", project=request.project.code, pk=again.pk)


@import_page
def import_report(request: access.ProjectRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    response = HttpResponse(job.report.encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-rows-{job.pk}.csv"'
    return response


@approve_page
def sign_ins(request: access.ProjectRequest) -> HttpResponse:
    """The latest failed sign-ins of this project's people, for the manager (issue 13: 50 guesses, no record)."""
    usernames = list(
        models.Staff.objects.filter(project=request.project).values_list("user__username", flat=True).distinct()
    )
    return render(request, "web/sign_ins.html", {"attempts": sign_ins_failed(usernames=usernames)})
