"""Verify's worker processes: forked after the plan is read, each scanning its range of events.

Rows a worker reads for customers another judges are posted to it (`Post`), and each worker's
report comes back to the parent, which stops every worker if one fails or dies.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import pickle
import sys
import threading
import traceback
from typing import Any

from django.db import connections

from . import scan
from .plan import BATCH, Plan
from .report import Found, Progress, stitch
from .scan import Row


def run(plan: Plan, progress: Progress | None) -> list[Found]:
    if plan.workers == 1:
        found, edge = scan.scan_range(plan, 0, rebuild=True, progress=progress)
        return found + stitch([edge])
    connections.close_all()  # each process opens its own connection
    context = multiprocessing.get_context("fork")
    # One pipe for each ordered pair of workers: rows read by one and judged by the other.
    pipes = {
        (source, target): context.Pipe(duplex=False)
        for source in range(plan.workers)
        for target in range(plan.workers)
        if source != target
    }
    # Every worker is a child, and this process waits: a child leaves without freeing the millions of
    # objects it built (seconds of work), where this process would have to free its own.
    children: dict[int, tuple[Any, Any]] = {}
    try:
        for index in range(plan.workers):
            receiver, sender = context.Pipe(duplex=False)
            outboxes = {target: pipes[(index, target)][1] for target in range(plan.workers) if target != index}
            inboxes = {source: pipes[(source, index)][0] for source in range(plan.workers) if source != index}
            child = context.Process(
                target=_child, args=(plan, index, sender, outboxes, inboxes, progress is not None), daemon=True
            )
            child.start()
            sender.close()
            children[index] = (child, receiver)
        reports = _gather(children, progress)
    finally:
        for child, _receiver in children.values():
            if child.is_alive():  # a worker failed: the others would wait for its rows for ever
                child.terminate()
    found = [problem for index in range(plan.workers) for problem in reports[index][0]]
    return found + stitch([reports[index][1] for index in range(plan.workers)])


def _gather(children: dict[int, tuple[Any, Any]], progress: Progress | None) -> dict[int, Any]:
    """Each worker's report, passing worker 0's progress on; a worker that fails or dies stops verify."""
    reports: dict[int, Any] = {}
    waiting = dict(children)
    while waiting:
        ready = multiprocessing.connection.wait(
            [receiver for _child, receiver in waiting.values()] + [child.sentinel for child, _r in waiting.values()]
        )
        for index, (child, receiver) in list(waiting.items()):
            if receiver.poll():
                try:
                    outcome, *payload = receiver.recv()
                except EOFError:  # it died without a word (killed, out of memory)
                    raise _ended(index, child) from None
                if outcome == "progress":
                    if progress is not None:
                        progress(*payload)
                    continue
                if outcome != "ok":
                    raise RuntimeError(f"verify: a worker failed:\n{payload[0]}")
                reports[index] = payload[0]
                del waiting[index]
                child.join()
            elif child.sentinel in ready:
                raise _ended(index, child)
    return reports


def _ended(index: int, child: Any) -> RuntimeError:
    # Its pipes close as it exits, a moment before it can be reaped: wait for that, for its exit code.
    child.join(5)
    return RuntimeError(f"verify: worker {index} ended without a report (exit code {child.exitcode})")


def _child(
    plan: Plan,
    index: int,
    sender: Any,
    outboxes: dict[int, Any],
    inboxes: dict[int, Any],
    reports_progress: bool,
) -> None:
    code = 0
    try:
        plan.hold = []  # what this worker builds is kept until it exits, never freed one by one
        speak = reports_progress and index == 0  # worker 0 speaks for all
        said: Progress = lambda stage, done, total: sender.send(("progress", stage, done, total))  # noqa: E731
        post = Post(outboxes=outboxes, inboxes=inboxes)  # made here: its threads must not exist before the fork
        sender.send(("ok", scan.scan_range(plan, index, rebuild=True, progress=said if speak else None, post=post)))
    except BaseException:  # reported to the parent, which raises it
        sender.send(("error", traceback.format_exc()))
        code = 1
    finally:
        connections.close_all()
        sender.close()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _parent_alive() -> bool:
    # A worker that dies is noticed by the parent, which stops the others; a worker only needs to
    # notice that the parent itself has gone.
    parent = multiprocessing.parent_process()
    return parent is None or parent.is_alive()


class Post:
    """Rows one worker reads for another's customers: sent while reading, received meanwhile.

    Each worker reads only its own range of the table, once; the rows of customers another worker
    judges are sent to it in pickled batches (cheaper than reading them twice). Receiving runs in
    threads from the start, so a sender never waits on a full pipe for ever.
    """

    def __init__(self, *, outboxes: dict[int, Any], inboxes: dict[int, Any]) -> None:
        self.outboxes = outboxes
        self.pending: dict[int, list[Row]] = {target: [] for target in outboxes}
        self.received: dict[int, list[bytes]] = {source: [] for source in inboxes}
        self.failures: list[str] = []
        self.threads = [
            threading.Thread(target=self._receive, args=(source, inbox), daemon=True)
            for source, inbox in inboxes.items()
        ]
        for thread in self.threads:
            thread.start()

    def _receive(self, source: int, inbox: Any) -> None:
        chunks = self.received[source]
        while True:
            if not inbox.poll(1.0):
                if not _parent_alive():
                    self.failures.append(f"verify stopped before worker {source} sent all its rows")
                    return
                continue
            data = inbox.recv_bytes()
            if not data:  # the end of that worker's rows
                return
            chunks.append(data)

    def flush(self, *, all_rows: bool = False) -> None:
        for target, rows in self.pending.items():
            if rows and (all_rows or len(rows) >= BATCH):
                self.outboxes[target].send_bytes(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
                rows.clear()  # in place: the pass holds these lists

    def finish(self) -> dict[int, list[Row]]:
        """Send what is left and the end mark; wait for every other worker's rows and return them."""
        self.flush(all_rows=True)
        for outbox in self.outboxes.values():
            outbox.send_bytes(b"")
        for thread in self.threads:
            thread.join()
        if self.failures:
            raise RuntimeError("; ".join(self.failures))
        return {
            source: [row for chunk in chunks for row in pickle.loads(chunk)] for source, chunks in self.received.items()
        }
