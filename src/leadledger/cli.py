"""The `leadledger` command."""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import sys
from collections.abc import Sequence
from typing import Any

from . import __version__


def user_language() -> str:
    """zh unless the environment asks for another language: our users are Chinese sales offices first."""
    for variable in ("LEADLEDGER_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(variable, "")
        if not value or value in ("C", "POSIX") or value.startswith(("C.", "POSIX.")):
            continue
        return "zh" if value.lower().startswith("zh") else "en"
    return "zh"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadledger",
        description="LeadLedger: decide and record who a customer belongs to (客户归属界定).",
    )
    parser.add_argument("--version", action="version", version=f"leadledger {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    replay = commands.add_parser(
        "replay",
        help="replay scenario files through the engine and print the answers as JSON",
        description=(
            "Replay scenario files (see docs/scenarios.md) through the attribution engine and the rotation. "
            'Prints {"results": [...]} on standard output. Exit 0: every answer agrees with the file; '
            "1: one does not (said on standard error); 2: a file cannot be read."
        ),
    )
    replay.add_argument("files", nargs="*", metavar="FILE.json", help="scenario files")
    replay.add_argument("--examples", action="store_true", help="replay the example scenarios shipped with LeadLedger")
    replay.add_argument(
        "--policy", metavar="JSON|FILE", help="override the scenario's policy, e.g. '{\"valid_days\": 15}'"
    )
    replay.add_argument(
        "--what-if",
        dest="what_if",
        metavar="JSON|FILE",
        help="replay under the current and this proposed policy and list every verdict that changes",
    )
    replay.add_argument(
        "--lang",
        choices=("zh", "en"),
        help="language of explanations and messages (default: from LANG, else zh)",
    )
    replay.add_argument(
        "--workers",
        type=int,
        choices=(1, 2),
        help="processes judging a large file's questions (default: 2 when a core is idle, else 1); same answers",
    )
    commands.add_parser("migrate", help="create or update the database (DATABASE_URL, default a SQLite file here)")
    demo = commands.add_parser("demo", help="create a demo sales office with months of history (once), then serve it")
    demo.add_argument("--no-serve", action="store_true", help="only create the data")
    demo.add_argument("--customers", type=int, default=3000, help="how many demo customers (default 3000)")
    demo.add_argument("--port", type=int, default=8000)
    serve = commands.add_parser(
        "serve",
        help="serve an existing database (migrating it first) with gunicorn and the background worker",
        description=(
            "Serve the app with gunicorn (LEADLEDGER_WORKERS workers, default two a core up to 8) and "
            "static files through WhiteNoise, with the background worker beside it. Listening beyond "
            "this machine (--host other than 127.0.0.1, localhost or ::1) is refused while "
            "`leadledger check` finds a problem."
        ),
    )
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)"
    )
    serve.add_argument("--lang", choices=("zh", "en"), help="language of messages")
    check = commands.add_parser(
        "check",
        help="deployment checks: Django's plus secret key, debug, hosts, HTTPS cookies, database, migrations, chain",
        description="Run the deployment checks; exit 0 when all pass, 1 when any fails (each is said with its fix).",
    )
    check.add_argument("--lang", choices=("zh", "en"), help="language of the report")
    verify = commands.add_parser(
        "verify",
        help="re-check the event chain and rebuild every verdict by replay; exit 0 if consistent, 1 if not",
    )
    verify.add_argument("--project", metavar="CODE", help="only this project (default: every project)")
    verify.add_argument("--lang", choices=("zh", "en"), help="language of the report")
    verify.add_argument(
        "--workers", type=int, metavar="N", help="processes to share the work (default: one per core, up to 4)"
    )
    verify.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="LL1.…",
        help="also check the chain against this printed checkpoint (repeatable); logged ones are always checked",
    )
    checkpoint = commands.add_parser(
        "checkpoint",
        help="sign each project's chain head now, log it outside the database, and print it to keep",
    )
    checkpoint.add_argument("--project", metavar="CODE", help="only this project (default: every project)")
    backup = commands.add_parser(
        "backup", help="copy the database to FILE (SQLite; pg_dump for PostgreSQL) and take a signed checkpoint"
    )
    backup.add_argument("file", metavar="FILE")
    backup.add_argument("--lang", choices=("zh", "en"), help="language of messages")
    restore = commands.add_parser(
        "restore",
        help="restore the database (DATABASE_URL) from a backup FILE, then verify it",
        description=(
            "Restore from a file written by `leadledger backup`. A database that already holds events is "
            "replaced only with --replace, and is kept aside first. Then the chain is verified and the "
            "backup's checkpoints checked; events recorded after the backup are counted from the checkpoint log."
        ),
    )
    restore.add_argument("file", metavar="FILE")
    restore.add_argument("--replace", action="store_true", help="replace a database that already holds events")
    restore.add_argument("--lang", choices=("zh", "en"), help="language of messages")
    what_if = commands.add_parser(
        "what-if",
        help="judge every customer of a project under a proposed policy and say how many verdicts would change",
        description=(
            "Judge every customer of the project under a proposed policy, at the moment its stored verdict "
            "was judged, and compare: nothing is stored. Progress on standard error; the summary (how many "
            "verdicts change, by kind of change, and the first customers changed) as JSON on standard "
            "output. Exit 0 on an answer, 2 when the proposal or the project is refused."
        ),
    )
    what_if.add_argument("proposal", metavar="JSON", help="the proposed policy, e.g. '{\"valid_days\": 15}'")
    what_if.add_argument("--project", metavar="CODE", help="the project (needed when there are several)")
    what_if.add_argument("--lang", choices=("zh", "en"), help="language of messages and explanations")
    importer = commands.add_parser(
        "import",
        help="import a visit register (.xlsx or .csv): good rows become events, the rest go to a report",
        description=(
            "Import a visit register (客户来访登记表). Columns are recognised by their Chinese or English "
            "headers (日期, 时间, 客户姓名, 电话, 置业顾问, 类型, 备注). Every row is checked; good rows are "
            "recorded in time order; rejected rows are written to a CSV report with the reason for each. "
            "Importing the same file twice adds nothing. Exit 0: every row imported or already there; "
            "1: some rows were rejected (the good ones are imported); 2: the file cannot be read."
        ),
    )
    importer.add_argument("file", metavar="FILE.xlsx|FILE.csv")
    importer.add_argument("--project", metavar="CODE", help="the project (needed when there are several)")
    importer.add_argument(
        "--columns", metavar="FIELD=HEADER,…", help="name columns yourself, e.g. 'phone=客户手机,consultant=接待人'"
    )
    importer.add_argument(
        "--report", metavar="PATH", help="where to write the rejected rows (default FILE.rejected.csv)"
    )
    importer.add_argument("--lang", choices=("zh", "en"), help="language of messages and the report")
    return parser


def main(argv: Sequence[str] | None = None, *, kept: list[Any] | None = None) -> int:
    """Run one command; `kept`, for a replay the caller ends with os._exit (see replay.run)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "replay":
        from .replay import example_files, run

        files = list(args.files)
        if args.examples:
            files.extend(str(path) for path in example_files())
        if not files:
            parser.parse_args(["replay", "--help"])
        return run(
            files,
            policy=args.policy,
            proposed=args.what_if,
            lang=args.lang or user_language(),
            workers=args.workers,
            kept=kept,
        )
    if args.command in ("demo", "serve") and not getattr(args, "no_serve", False):
        # Before anything is created or migrated, and before any URL is printed (issue 13).
        refused = _port_refused(getattr(args, "host", "127.0.0.1"), args.port, getattr(args, "lang", None))
        if refused:
            return refused
    if args.command in (
        "migrate",
        "verify",
        "demo",
        "serve",
        "import",
        "checkpoint",
        "backup",
        "restore",
        "what-if",
        "check",
    ):
        _django_setup()
        from django.core.management import call_command

        if args.command == "check":
            return _check(args.lang or user_language())
        if args.command == "verify":
            return _verify(args.project, args.lang or user_language(), args.workers, args.checkpoint)
        if args.command == "checkpoint":
            return _checkpoint(args.project)
        if args.command == "backup":
            return _backup(args.file, args.lang or user_language())
        if args.command == "restore":
            return _restore(args.file, args.replace, args.lang or user_language())
        if args.command == "what-if":
            call_command("migrate", interactive=False, verbosity=0)
            return _what_if(args.project, args.proposal, args.lang or user_language())
        if args.command == "import":
            call_command("migrate", interactive=False, verbosity=0)
            return _import(args, args.lang or user_language())
        call_command("migrate", interactive=False, verbosity=1 if args.command == "migrate" else 0)
        if args.command == "demo":
            _demo(args.customers)
            if args.no_serve:
                return 0
        if args.command in ("demo", "serve"):
            return _serve(getattr(args, "host", "127.0.0.1"), args.port, getattr(args, "lang", None) or user_language())
        return 0
    parser.print_help()
    return 0


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")
    import django

    django.setup()


def _demo(customers: int) -> None:
    from time import perf_counter

    from .demo import demo_create, logins, secret_key_ensure

    secret_key_ensure()  # its own random key beside its database, never a public one
    started = perf_counter()
    print("正在创建演示数据 / creating demo data …", flush=True)
    project, created = demo_create(customers=customers)
    if created:
        events = project.events.count()
        print(
            f"演示项目「{project.name}」：{project.customers.count()} 位客户，{events} 条事件"
            f"（{perf_counter() - started:.0f} 秒）/ demo project created"
        )
    else:
        print(f"演示项目「{project.name}」已存在 / the demo project already exists")
    _checkpoint(project.code)
    print("演示账号 / demo logins:")
    for username, password, role in logins():
        print(f"  {username:<10} {password}  {role}")


def _port_refused(host: str, port: int, lang: str | None) -> int:
    """2 and a sentence with the `--port` hint when the port is taken; 0 when it is free."""
    from .server import port_taken

    try:
        taken = port_taken(host, port)
    except OSError as error:  # an address this machine does not have, a port below 1024 without rights
        taken, reason = True, str(error)
    else:
        reason = ""
    if not taken:
        return 0
    if (lang or user_language()) == "zh":
        said = (
            f"无法在 {host}:{port} 上提供服务：{reason or '该端口已被占用'}。"
            f"请用 --port 换一个端口，例如 --port {port + 1}"
        )
    else:
        said = (
            f"cannot serve on {host}:{port}: {reason or 'the port is already in use'}. "
            f"Choose another with --port, e.g. --port {port + 1}"
        )
    print(said, file=sys.stderr)
    return 2


def _check(lang: str) -> int:
    """Every deployment check that fails, each with its fix; 0 when none."""
    from .checks import deployment_problems, said

    problems = deployment_problems()
    for problem in problems:
        print(said(problem))
    if problems:
        print(f"{len(problems)} 项检查未通过" if lang == "zh" else f"{len(problems)} checks failed", file=sys.stderr)
        return 1
    print("全部检查通过" if lang == "zh" else "every check passed")
    return 0


def _serve(host: str, port: int, lang: str) -> int:
    """gunicorn with the background worker beside it (leadledger.server); 2 when refused."""
    from .demo import secret_key_ensure
    from .server import (
        LOCAL_HOSTS,
        background_start,
        background_stop,
        serve,
        threads_from_environment,
        workers_from_environment,
    )

    zh = lang == "zh"
    try:
        workers, threads = workers_from_environment(), threads_from_environment()
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    secret_key_ensure()  # no public key signs anyone's session, even on the demo
    if host not in LOCAL_HOSTS:
        from .checks import deployment_problems, said

        problems = deployment_problems()
        if problems:
            print(
                f"拒绝在 {host} 上对外提供服务，以下检查未通过（leadledger check）："
                if zh
                else f"refusing to serve beyond this machine on {host}: these checks fail (leadledger check):",
                file=sys.stderr,
            )
            for problem in problems:
                print(said(problem), file=sys.stderr)
            return 2
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    background = background_start()
    try:
        serve(
            host,
            port,
            workers,
            threads,
            on_ready=lambda: print(
                f"LeadLedger: {url}  （{workers} 个进程，Ctrl-C 停止）"
                if zh
                else f"LeadLedger: {url}  ({workers} workers, Ctrl-C to stop)",
                flush=True,
            ),
        )
    except SystemExit as stopped:  # gunicorn's master leaves by sys.exit, also on SIGTERM
        return int(stopped.code or 0) if isinstance(stopped.code, int | None) else 1
    finally:
        background_stop(background)
    return 0


def _checkpoint(code: str | None) -> int:
    """Sign each project's chain head, log it outside the database, and print it for a manager to keep."""
    from .ledger import models
    from .ledger.checkpoints import checkpoint_take

    projects = models.Project.objects.all() if code is None else models.Project.objects.filter(code=code)
    for project in projects:
        taken = checkpoint_take(project)
        print(f"检查点 / checkpoint {project.code}（{taken.seq} 条事件 / events）: {taken.printed()}", flush=True)
    return 0


def _backup(file: str, lang: str) -> int:
    """A copy of the database, signed at the heads the copy holds, so that it can be checked later."""
    from pathlib import Path

    from .ledger.backups import BackupError, backup_write

    try:
        written = backup_write(Path(file))
    except BackupError as error:
        print(error.zh if lang == "zh" else error.en, file=sys.stderr)
        return 2
    print(f"备份已写入 / backup written: {written.path}（检查点 / checkpoints: {written.manifest}）")
    for taken in written.checkpoints:
        print(f"检查点 / checkpoint {taken.project}（{taken.seq} 条事件 / events）: {taken.printed()}", flush=True)
    return 0


def _restore(file: str, replace: bool, lang: str) -> int:
    """Restore from a backup, then check the chain and the backup's checkpoints, and say what is not in it."""
    from pathlib import Path

    from django.core.management import call_command

    from .ledger import models
    from .ledger.backups import BackupError, backup_restore
    from .ledger.checkpoints import checkpoints_logged

    zh = lang == "zh"
    try:
        restored = backup_restore(Path(file), replace=replace)
    except BackupError as error:
        print(error.zh if zh else error.en, file=sys.stderr)
        return 2
    call_command("migrate", interactive=False, verbosity=0)  # a backup from an older version
    if restored.kept:
        print(f"原数据库已另存为 {restored.kept}" if zh else f"the database it replaced is kept as {restored.kept}")
    if restored.matches_manifest is False:
        print("恢复后的数据与备份的检查点不符" if zh else "the restored data does not match the backup's checkpoints")
        return 1
    for project in models.Project.objects.order_by("code"):
        seq = restored.heads.get(project.code, (0, ""))[0]
        later = max((c.seq for c in checkpoints_logged(project)), default=0)
        if later > seq:
            print(
                f"{project.code}: 已恢复到第 {seq} 条事件；备份之后记录的至少 {later - seq} 条事件不在此备份中"
                if zh
                else f"{project.code}: restored to event {seq}; at least {later - seq} events recorded after "
                "this backup are not in it"
            )
        else:
            print(f"{project.code}: 已恢复 {seq} 条事件" if zh else f"{project.code}: {seq} events restored")
    return _verify(None, lang, reached_only=True)


def _project_for(code: str | None, lang: str) -> object | None:
    from .ledger import models

    if code is not None:
        found = models.Project.objects.filter(code=code).first()
        if found is None:
            print(f"没有项目 {code!r}" if lang == "zh" else f"no project {code!r}", file=sys.stderr)
        return found
    projects = list(models.Project.objects.all()[:2])
    if len(projects) == 1:
        return projects[0]
    zh, en = (
        ("请用 --project 指定项目", "say which project with --project")
        if projects
        else ("数据库中还没有项目", "the database has no project yet")
    )
    print(zh if lang == "zh" else en, file=sys.stderr)
    return None


class _Bar:
    """A progress bar on standard error: redrawn in place on a terminal, a line every 10% otherwise."""

    def __init__(self, label: str) -> None:
        self.label, self.tty, self.shown = label, sys.stderr.isatty(), -1

    def __call__(self, done: int, total: int) -> None:
        percent = done * 100 // total if total else 100
        if self.tty:
            filled = percent // 4
            print(
                f"\r{self.label} [{'#' * filled}{'.' * (25 - filled)}] {percent:3d}% {done}/{total}",
                end="",
                file=sys.stderr,
                flush=True,
            )
            if done == total:
                print(file=sys.stderr)
        elif percent // 10 != self.shown // 10 or done == total:
            self.shown = percent
            print(f"{self.label} {percent}% {done}/{total}", file=sys.stderr, flush=True)


def _what_if(code: str | None, text: str, lang: str) -> int:
    """Run a project-wide what-if here and now (the web page queues the same job for the worker)."""
    import json

    from .engine.answers import proposal_from
    from .engine.errors import DomainError
    from .ledger import policy_jobs, services

    project = _project_for(code, lang)
    if project is None:
        return 2
    try:
        job = services.policy_what_if_start(project=project, proposed=proposal_from(text), user=None)  # type: ignore[arg-type]
    except DomainError as error:
        print(error.message(lang), file=sys.stderr)
        return 2
    job = policy_jobs.policy_job_run(job.pk, progress=_Bar("判定" if lang == "zh" else "judging"))
    summary = dict(job.summary or {})
    for item in summary.get("first", []):
        item["current"], item["proposed"] = item["current"][lang], item["proposed"][lang]
    print(json.dumps({"policy": job.policy, "version": job.policy_version, **summary}, ensure_ascii=False, indent=2))
    return 0


def _import(args: argparse.Namespace, lang: str) -> int:
    from pathlib import Path

    from .engine import EngineError
    from .imports.register import RegisterError
    from .imports.services import register_import
    from .ledger.services import LedgerError

    project = _project_for(args.project, lang)
    if project is None:
        return 2
    path = Path(args.file)
    columns = None
    if args.columns:
        pairs = [item.split("=", 1) for item in args.columns.split(",") if item.strip()]
        if any(len(pair) != 2 for pair in pairs):
            print(
                "--columns 的格式是 字段=表头,…" if lang == "zh" else "--columns takes FIELD=HEADER,…", file=sys.stderr
            )
            return 2
        columns = {field.strip(): header.strip() for field, header in pairs}
    zh = lang == "zh"
    try:
        result = register_import(
            project=project,  # type: ignore[arg-type]
            path=path,
            columns=columns,
            progress=_Bar("检查" if zh else "checking"),
            saving=lambda: print("正在保存 …" if zh else "saving …", file=sys.stderr, flush=True),
        )
    except (RegisterError, LedgerError, EngineError) as error:
        print(f"{path}: {error.zh if zh else error.en}", file=sys.stderr)
        return 2
    if zh:
        print(f"{path.name}：导入 {result.imported} 行，已存在 {result.skipped} 行，拒绝 {len(result.rejected)} 行")
    else:
        print(
            f"{path.name}: {result.imported} imported, {result.skipped} already there, {len(result.rejected)} rejected"
        )
    if not result.rejected:
        return 0
    report = Path(args.report) if args.report else path.with_name(f"{path.stem}.rejected.csv")
    report.write_text(result.report_csv(lang), encoding="utf-8-sig")  # utf-8-sig: Excel opens it in Chinese
    print(f"被拒绝的行及原因：{report}" if zh else f"rejected rows and reasons: {report}")
    return 1


def _verify(
    code: str | None,
    lang: str,
    workers: int | None = None,
    printed: Sequence[str] = (),
    *,
    reached_only: bool = False,
) -> int:
    """Verify each project; `reached_only` (after a restore) checks only the checkpoints the chain reaches."""
    from .checks import pending_migrations
    from .desk.holdings import holding_problems
    from .ledger import models
    from .ledger.checkpoints import CheckpointError, checkpoint_problems, checkpoints_logged, parse_printed
    from .ledger.verify import verify

    try:
        given = [parse_printed(text) for text in printed]
    except CheckpointError as error:
        print(error.message(lang), file=sys.stderr)
        return 2

    if workers is not None and workers < 1:
        print("--workers 至少为 1" if lang == "zh" else "--workers must be at least 1", file=sys.stderr)
        return 2
    if pending := pending_migrations():  # an upgrade not yet migrated: the tables are not the code's
        said = (
            f"数据库还有 {pending} 个迁移未执行：请先运行 leadledger migrate"
            if lang == "zh"
            else f"{pending} migration{'s are' if pending != 1 else ' is'} not applied: run `leadledger migrate` first"
        )
        print(said, file=sys.stderr)
        return 2

    projects = models.Project.objects.all() if code is None else models.Project.objects.filter(code=code)
    if code is not None and not projects.exists():
        print(f"{'没有项目' if lang == 'zh' else 'no project'} {code!r}", file=sys.stderr)
        return 2
    problems = 0
    for project in projects:
        code = project.code
        reading = "校验哈希链并读取事件" if lang == "zh" else "checking the chain, reading events"
        judging = "重放并比对归属" if lang == "zh" else "replaying and comparing verdicts"
        bars = {"chain": _Bar(f"{code}: {reading}"), "judge": _Bar(f"{code}: {judging}")}
        found = verify(
            project,
            lambda p, code=code: print(f"{code}: {p.where}: {p.zh if lang == 'zh' else p.en}"),
            workers=workers,
            progress=lambda stage, done, total, bars=bars: bars[stage](done, total),
        )
        wanted = [*checkpoints_logged(project), *given]
        if reached_only:
            last = project.events.order_by("-seq").values_list("seq", flat=True).first() or 0
            wanted = [c for c in wanted if c.seq <= last]
        for problem in itertools.chain(checkpoint_problems(project, wanted), holding_problems(project)):
            print(f"{code}: {problem.where}: {problem.zh if lang == 'zh' else problem.en}")
            found += 1
        events = project.events.count()
        if lang == "zh":
            print(f"{project.code}: 已检查 {events} 条事件，发现 {found} 处问题")
        else:
            print(f"{project.code}: {events} events checked, {found} problems")
        problems += found
    return 1 if problems else 0


def entry() -> None:
    """The `leadledger` program: run `main`, then exit with its code.

    A replay leaves millions of small objects behind; letting the interpreter free each of them at
    exit took 0.6 s for a 200,000-event file, longer than writing the answers. Once standard output
    and standard error are flushed a replay has nothing left to do, so it ends with os._exit. Other
    commands (Django, a server) exit normally and run their exit handlers.
    """
    argv = sys.argv[1:]
    replay = argv[:1] == ["replay"]
    if replay:
        # A replay makes no garbage cycles worth finding and ends with os._exit: the collector is
        # never needed, and re-enabling it after the work (collector_paused) ran one full
        # collection over everything still loaded, a twentieth of the whole run.
        gc.disable()
    kept: list[Any] = []  # a replay's data, never freed: os._exit follows
    code = main(argv, kept=kept if replay else None)
    if replay:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
