"""A whole project's verdicts under one policy, in the background: the re-judge after a policy change,
and the what-if of a proposed one. Both judge with the engine's bulk timeline, a chunk at a time,
and keep their progress on their PolicyJob row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from leadledger import engine
from leadledger.engine.timeline import collector_paused

from . import convert, models, selectors, services

CHUNK = 2000  # customers per transaction: short enough that desks never wait long on the project lock
FIRST = 50  # changed customers a what-if names

Job = models.PolicyJob
Progress = Callable[[int, int], None]


def policy_job_run(job_id: int, *, chunk: int = CHUNK, progress: Progress | None = None) -> models.PolicyJob:
    """Run a queued job once (a second call, or a superseded job, does nothing); return it as it ended."""
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now()
    )
    job = Job.objects.select_related("project").get(pk=job_id)
    if not claimed:
        return job
    try:
        if job.kind == Job.Kind.REJUDGE:
            _rejudge(job, chunk, progress)
        else:
            _what_if(job, chunk, progress)
    except Exception as error:  # the row must not say "running" for ever; the worker logs the trace
        message = error.message() if isinstance(error, engine.DomainError) else repr(error)
        Job.objects.filter(pk=job_id, state=Job.State.RUNNING).update(
            state=Job.State.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        raise
    job.refresh_from_db()
    return job


def _policy(job: models.PolicyJob) -> engine.Policy:
    return engine.policy_from({**job.policy, "time_zone": job.project.time_zone})


def _last_seq(project: models.Project) -> int:
    return models.Event.objects.filter(project=project).order_by("-seq").values_list("seq", flat=True).first() or 0


def _step(job: models.PolicyJob, done: int, total: int, progress: Progress | None) -> None:
    Job.objects.filter(pk=job.pk).update(done=done, total=total)
    if progress is not None:
        progress(done, total)


def _finish(job: models.PolicyJob, **fields: Any) -> None:
    Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).update(
        state=Job.State.DONE, finished_at=timezone.now(), **fields
    )


def _rejudge(job: models.PolicyJob, chunk: int, progress: Progress | None) -> None:
    """Store every verdict of the project again, judged under the job's policy.

    The timeline is read once; each chunk is then judged and stored under the project's lock, after
    checking that the job's policy is still the project's (a later change supersedes it). A verdict
    already judged under this policy is left alone: events recorded since the change have judged
    their customers with every event, under this policy, and the snapshot would be older.
    """
    project = job.project
    policy = _policy(job)
    through = _last_seq(project)
    with collector_paused():
        timeline = selectors.whole_timeline(project, policy)
    known = timeline.identity.household
    ids = sorted(models.Verdict.objects.filter(project=project).values_list("customer_id", flat=True))
    total, done = len(ids), 0
    _step(job, done, total, progress)
    for start in range(0, total, chunk):
        part = ids[start : start + chunk]
        with transaction.atomic():
            services._lock_project(project)
            if not _still_in_force(job):
                return
            stale = (
                models.Verdict.objects.filter(project=project, customer_id__in=part)
                .exclude(policy_version=job.policy_version)
                .values_list("customer_id", flat=True)
            )
            now = timezone.now()
            moments = {key: now for cid in stale if (key := str(cid)) in known}
            with collector_paused():
                judged = timeline.verdicts_at(moments)
            services._verdicts_store(project, list(judged.values()), through)
        done += len(part)
        _step(job, done, total, progress)
    _finish(job)


def _still_in_force(job: models.PolicyJob) -> bool:
    """Whether the job may go on: not superseded, and its policy still the project's (however changed)."""
    project = models.Project.objects.get(pk=job.project_id)
    state = Job.objects.filter(pk=job.pk).values_list("state", flat=True).get()
    if state == Job.State.RUNNING and convert.policy_of(project).version == job.policy_version:
        return True
    Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).update(
        state=Job.State.SUPERSEDED, finished_at=timezone.now()
    )
    return False


def _shares(shares: dict[str, Any] | None) -> dict[str, str] | None:
    return {str(k): str(v) for k, v in shares.items()} if shares else None


def _what_if(job: models.PolicyJob, chunk: int, progress: Progress | None) -> None:
    """Judge every customer with a stored verdict under the proposed policy, at the moment the stored
    verdict was judged at (so that only the policy differs), store nothing, and summarise the changes."""
    project = job.project
    with collector_paused():
        timeline = selectors.whole_timeline(project, _policy(job))
        stored: dict[str, tuple[Any, str, Any, datetime, str, str]] = {
            str(cid): (owners, status, channel, judged_at, zh, en)
            for cid, owners, status, channel, judged_at, zh, en in models.Verdict.objects.filter(
                project=project
            ).values_list("customer_id", "owners", "status", "channel", "judged_at", "explain_zh", "explain_en")
        }
    known = timeline.identity.household
    ids = sorted((cid for cid in stored if cid in known), key=int)
    total, done = len(ids), 0
    kinds: Counter[str] = Counter()
    moves: Counter[str] = Counter()
    first: list[dict[str, Any]] = []
    _step(job, done, total, progress)
    for start in range(0, total, chunk):
        part = ids[start : start + chunk]
        with collector_paused():
            standings = timeline.standings_at({cid: stored[cid][3] for cid in part})
        for cid in part:
            owners, status, channel, judged_at, zh, en = stored[cid]
            new = standings[cid]
            kind = _change(owners, status, channel, new)
            if kind is None:
                continue
            kinds[kind] += 1
            moves[f"{status} → {new.status}"] += 1
            if len(first) < FIRST:
                proposed = timeline.verdict(cid, judged_at)
                first.append(
                    {
                        "customer": cid,
                        "kind": kind,
                        "current": {"zh": zh, "en": en},
                        "proposed": {"zh": proposed.explain("zh"), "en": proposed.explain("en")},
                    }
                )
        done += len(part)
        _step(job, done, total, progress)
    summary = {
        "compared": total,
        "changed": sum(kinds.values()),
        "kinds": dict(kinds),
        "moves": dict(moves.most_common()),
        "first": first,
    }
    _finish(job, summary=summary)


def _change(owners: Any, status: str, channel: Any, new: engine.Standing) -> str | None:
    """How a verdict would change: its owner, else its status, else its channel; None if it would not."""
    if (owners or None) != _shares(new.owners):
        return "owner"
    if status != new.status:
        return "status"
    if (channel or None) != _shares(new.channel):
        return "channel"
    return None
