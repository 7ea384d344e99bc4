"""`leadledger verify`: re-check the chain and rebuild every verdict; any edit, deletion, insertion or reordering shows.

At company size (ten million events) verify is one pass over the event table, split between worker
processes by ranges of event numbers: each reads its range once, checks the links and hashes in it,
and builds engine events for its share of the customers: whole households (engine.Identity decides
them), kept together with the customers they refer or buy for, so that no worker needs another's
events. Rows of another worker's customers are sent to it as they are read. The links between
ranges are checked at the end. Then each worker judges its customers at the moments their stored
verdicts were judged at (time alone moves a status) and compares. Workers are forked after the
customers are read and cast once, so they share them.

Each verdict is judged under the policy whose version it records (a policy change does not make
every verdict judged before it a problem); a version verify cannot name is reported.

Where things are: `plan` (what is read once and shared: cast, policies, ranges, shares), `scan`
(the pass over a range, and the judging), `workers` (forked processes and the rows they post to each
other), `report` (problems and the links between ranges). This module holds the entry points.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from leadledger import engine

from .. import models
from . import workers as _workers
from .plan import Plan, default_workers, make_plan
from .report import Problem, Progress, stitch
from .scan import scan_range

__all__ = ["Problem", "Progress", "chain_problems", "default_workers", "verify"]


def verify(
    project: models.Project,
    report: Callable[[Problem], None],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Check the chain, rebuild every verdict and compare; report every problem and return how many."""
    # Millions of small objects and no cycles: the collector would rescan them all, again and again.
    with engine.collector_paused():
        plan = make_plan(project, workers)
        found = _workers.run(plan, progress)
    if progress is not None:  # every worker has judged its share
        progress("judge", plan.verdicts, plan.verdicts)
    # A departure is built by every worker: an unreadable one is found by each, and reported once.
    unique = dict(sorted(found, key=lambda item: item[0]))
    problems = [*unique.values(), *logs_problems(project)]
    for problem in problems:
        report(problem)
    return len(problems)


def logs_problems(project: models.Project) -> Iterator[Problem]:
    """The chained logs beside the events (disclosures, policy changes, lookups, relation changes), the
    policy in force and the relations as they stand."""
    from .. import logchain, relations  # they name their problems as verify does

    for chained in logchain.LOGS:
        yield from logchain.log_problems(chained, project)
    yield from relations.relation_problems(project)
    # The project's policy is the last change's (ledger.services.policy_set writes both), or none.
    last = project.policy_changes.order_by("-seq").values_list("policy", flat=True).first()
    policy = models.Project.objects.values_list("policy", flat=True).get(pk=project.pk)
    if policy != (last if last is not None else {}):
        yield Problem(
            f"project {project.code}",
            "its policy is not the last recorded policy change: changed without one",
            "项目的规则与最后一次登记的规则变更不符：规则被直接改动",
        )


def chain_problems(project: models.Project) -> Iterator[Problem]:
    """The chain alone, in one process (the benchmark compares it with plain hashing)."""
    plan = Plan(project=project, events=0, workers=1)
    with engine.collector_paused():
        found, edge = scan_range(plan, 0, rebuild=False, progress=None)
    for _key, problem in sorted(found + stitch([edge]), key=lambda item: item[0]):
        yield problem
