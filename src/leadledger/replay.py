"""`leadledger replay`: read scenario files, answer them with the engine, print JSON, exit 0/1/2."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pickle
import re
import signal
import sys
from collections.abc import Callable, Sequence
from itertools import accumulate
from json.encoder import encode_basestring as _string
from pathlib import Path
from typing import Any, TextIO

from .engine.answers import Answerer, Outcome, answer, answer_share, what_if
from .engine.errors import DomainError, EngineError
from .engine.scenario import Question
from .engine.split import PlanPart, Split, plan_part, split_scenario
from .engine.timeline import collector_paused

EXIT_OK, EXIT_DISAGREE, EXIT_UNREADABLE = 0, 1, 2
# Questions from which a file's answers are shared with a second process: below it, starting one
# costs more than it saves (a fork of a 1,500-customer replay takes a few milliseconds).
SHARED_FROM = 1000


class ReplayInputError(DomainError):
    """A file (or a --policy value) that cannot be read: one line for the user, no traceback."""

    def __init__(self, source: str, path: str, zh: str, en: str) -> None:
        super().__init__(zh, en, path=path)
        self.source = source

    def line(self, lang: str) -> str:
        text = self.zh if lang == "zh" else self.en
        label = "错误" if lang == "zh" else "error"
        return f"{label}: {self.source}: {self.path}: {text}"


def example_files() -> list[Path]:
    """The scenario files shipped with the package, one or more for every rule ID."""
    from importlib import resources  # 20 ms of every replay's start, for --examples only

    folder = resources.files("leadledger") / "examples"
    return sorted(Path(str(item)) for item in folder.iterdir() if item.name.endswith(".json"))


def _load_json(source: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ReplayInputError(
            source,
            f"line {error.lineno} column {error.colno}",
            f"不是有效的 JSON（{error.msg}）",
            f"not valid JSON ({error.msg})",
        ) from None


# orjson (decision 500) makes the objects of a 30 MB file in two thirds of json's time. Where its
# reading could differ from json's it is not trusted: an integer of 19 digits or more (orjson reads one
# beyond 64 bits as a float), and anything it refuses (NaN, Infinity, 1e400, a lone surrogate, and
# every real mistake, which json then reports in its own words).
try:
    from orjson import OPT_INDENT_2
    from orjson import dumps as _fast_dumps
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - a dependency; json alone still reads and writes every file
    _fast_loads = _fast_dumps = None  # type: ignore[assignment]

_DIGITS_AS_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19


def _quick_load(data: bytes, *, checked: bool = True) -> Any:
    """The file's value as `json.loads` reads it, through orjson where that is the same; else a miss.

    `checked=False` leaves out the check for long numbers: the caller makes it (`_long_number_in`).
    """
    if _fast_loads is None or (checked and _long_number_in(data, 0, len(data))):
        return _MISS
    try:
        return _fast_loads(data)
    except ValueError:  # orjson.JSONDecodeError: json reads it (NaN, 1e400) or says why not
        return _MISS


_MISS = object()
_CHUNK = 1 << 18  # translated a piece at a time: a copy of the whole file cost more than the search


def _long_number_in(data: bytes, start: int, end: int) -> bool:
    """Whether a run of 19 digits or more begins in data[start:end]."""
    for i in range(start, end, _CHUNK):
        if _LONG_NUMBER in data[i : min(i + _CHUNK, end) + len(_LONG_NUMBER) - 1].translate(_DIGITS_AS_ZEROS):
            return True
    return False


def read_file(path: str) -> Any:
    return _parsed(path, _file_bytes(path))


def _file_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ReplayInputError(path, "$", "文件不存在", "no such file") from None
    except IsADirectoryError:
        raise ReplayInputError(path, "$", "这是一个目录，不是文件", "is a directory, not a file") from None
    except OSError as error:
        raise ReplayInputError(path, "$", f"无法读取：{error.strerror}", f"cannot be read: {error.strerror}") from None


def _parsed(path: str, data: bytes) -> Any:
    value = _quick_load(data)
    if value is not _MISS:
        return value
    try:
        # As read_text reads it (newlines made "\n"): json's line numbers in a message count those.
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        raise ReplayInputError(path, "$", "文件不是 UTF-8 编码的文本", "is not UTF-8 text") from None
    return _load_json(path, text)


def read_policy(value: str) -> dict[str, Any]:
    """A --policy/--what-if argument: inline JSON, or the path of a JSON file."""
    stripped = value.strip()
    data = _load_json("--policy", stripped) if stripped.startswith("{") else read_file(value)
    if not isinstance(data, dict):
        raise ReplayInputError(value, "$", "策略应为 JSON 对象", "a policy must be a JSON object")
    return data


def run(
    files: Sequence[str],
    *,
    policy: str | None = None,
    proposed: str | None = None,
    lang: str = "zh",
    out: TextIO | None = None,
    err: TextIO | None = None,
    workers: int | None = None,
    kept: list[Any] | None = None,
) -> int:
    """Replay `files`; print answers (or a what-if report) as JSON; return the exit code.

    `workers`: processes judging a file's questions (default: `default_workers`). The answers are
    the same, in the same order, however many judge them. `kept`: a list the caller holds until it
    ends the process with os._exit; what was read and answered is left in it rather than freed
    object by object (a million of them for a 200,000-event file).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        override = read_policy(policy) if policy else None
        proposal = read_policy(proposed) if proposed else None
    except ReplayInputError as error:
        print(error.line(lang), file=err)
        return EXIT_UNREADABLE
    # Reading, judging and writing allocate millions of small objects and no cycles worth finding
    # (see collector_paused): with the collector running, a 200,000-event file took twice as long.
    if workers is None:
        workers = default_workers()
    try:
        with collector_paused():
            return _replay(files, override, proposal, lang, out, err, workers, kept)
    finally:
        _reap(wait=kept is None)


# An answer already written, in UTF-8, as `indented_json` writes an item of {"results": [...]}: a view
# of the answers orjson wrote at once (`_pieces`), or of those a second process sent (`_unpacked`).
_WRITTEN = frozenset({memoryview})
ANSWER_PAD = "\n    "  # an answer's indentation in {"results": [...]}, as indented_json reaches it
INDENT = "  "  # decision 538: as orjson indents, so that its bytes need no change


def default_workers() -> int:
    """Two where a second process can have a core to itself (it can fork, and a core is idle), else one.

    A second process costs CPU of its own (starting, pages the fork shares and both then write):
    on a machine whose cores are all busy it made the benchmark's replay slower, not faster.
    Nor in a process with other threads (a host that calls `run`): a fork copies only the calling
    thread, and a lock another one held stays held in the child (Python 3.12 warns of it).
    """
    if not hasattr(os, "fork"):
        return 1
    threading = sys.modules.get("threading")  # not imported: no threads started through it
    if threading is not None and threading.active_count() > 1:
        return 1
    cores = len(os.sched_getaffinity(0))
    return 2 if cores >= 2 and _busy_elsewhere() <= cores - 1 else 1


def _busy_elsewhere() -> float:
    """How many cores other processes keep busy now: on Linux the tasks running at this moment, less
    this one (/proc/loadavg); elsewhere the load average of the last minute.

    The minute's average counts a replay that has just ended: run again at once, the second judged
    alone, in half again the time.
    """
    try:
        with open("/proc/loadavg", encoding="ascii") as status:
            return int(status.read().split()[3].split("/")[0]) - 1
    except (OSError, ValueError, IndexError):
        return os.getloadavg()[0]


def _forked(work: Callable[[], tuple[Any, list[Any]]]) -> tuple[int, int]:
    """Start a second process doing `work`; it sends back the pickled result (nothing if it failed).

    `work` returns a result and the answers it wrote (`_pieces`, or none): those are sent after it as
    they are, not pickled (pickle copied the eight megabytes twice more), and `_collect` reads them
    into one buffer. Returns the process and the pipe to read from.
    """
    reader, writer = _pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the second process (coverage is not measured there)
        os.close(reader)
        try:
            result, written = work()
            ends = list(accumulate(map(len, written)))
            head = pickle.dumps((result, ends), protocol=pickle.HIGHEST_PROTOCOL)
            # One string, written whole: through a buffer, each answer was a write of its own.
            payload = b"".join([len(head).to_bytes(8, "little"), head, *written])
        except BaseException:  # done again by the first process, which says why
            payload = b""
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(writer, view) :]
        finally:
            os._exit(0)  # nothing of the first process's (buffers, exit handlers) runs twice
    os.close(writer)
    return pid, reader


def _collect(pid: int, reader: int) -> tuple[Any, list[memoryview]] | None:
    """The second process's result and the answers it wrote (as views of one buffer), or None if it failed.

    The process is waited for only once the answers are written (`run`): freeing its memory as it
    exits took longer than reading what it sent.
    """
    try:
        with os.fdopen(reader, "rb") as pipe:
            size = int.from_bytes(pipe.read(8), "little")
            if not size:
                return None
            result, ends = pickle.loads(pipe.read(size))
            text = bytearray(ends[-1] if ends else 0)
            if pipe.readinto(text) != len(text):  # pragma: no cover - the second process ended early
                return None
    finally:
        _ENDING.append(pid)
    view = memoryview(text)
    return result, [view[start:end] for start, end in zip([0, *ends], ends, strict=False)]


# In a second process, what it read and built: it ends with os._exit, and nothing is freed one by one.
_LEFT_TO_EXIT: list[Any] = []
_ENDING: list[int] = []  # second processes that have sent their answers and are exiting


def _reap(*, wait: bool = True) -> None:
    """Wait for the second processes that have sent their answers. Not where the caller ends this
    process next (`kept` given: os._exit follows): the first would wait while the second frees its
    memory as it exits (50 ms for the benchmark's file), and the system reaps an orphan itself."""
    while _ENDING:
        os.waitpid(_ENDING.pop(), 0 if wait else os.WNOHANG)


def _stop(pid: int, reader: int) -> None:
    os.kill(pid, signal.SIGKILL)
    os.close(reader)
    os.waitpid(pid, 0)


def _read_in_shares(
    name: str, override: dict[str, Any] | None, lang: str, kept: list[Any] | None = None
) -> tuple[Any, Outcome | None]:
    """A file's value, and its answers where they were judged in two shares (`_in_shares`), else None.

    The shares check the file for long numbers (`_quick_load`), each its half, as they start: read
    before them, the check was a fiftieth of the replay with the other core idle. Where there is one,
    the file is read again as json reads it.
    """
    raw = _file_bytes(name)
    outcome, data = _in_shares(raw, override, lang, kept) if len(raw) >= SPLIT_BYTES else (None, _MISS)
    if outcome is not None:
        return data, outcome
    if data is _MISS:
        data = _quick_load(raw, checked=False)
    if data is not _MISS and not _long_number_in(raw, 0, len(raw)):
        return data, None
    return _parsed(name, raw), None


# The first process's part of the customers: it also checks every id, and puts the answers together
# and writes them after its share (about 70 ms more than the second's work on the benchmark's file).
FIRST_SHARE = 0.48
# A file smaller than this holds too few events to be split (engine.split.SPLIT_FROM): a second process
# is started only for larger ones, before the file is read (`_in_shares`).
SPLIT_BYTES = 1 << 21


def _in_shares(
    raw: bytes, override: dict[str, Any] | None, lang: str, kept: list[Any] | None = None
) -> tuple[Outcome | None, Any]:
    """An attribution file answered in two processes, each reading and judging its own share of the
    customers (engine.split): the outcome (None where it is not split, or a share finds anything
    wrong: the file is then answered whole, which says what is wrong as it would without the split),
    and the file's value as orjson read it (`_MISS` if it did not).

    The second process is started before the file is read, and reads it itself: started after, it
    shared the objects read, and every one it touched was copied for it, page by page, a tenth of its
    time. Each then reads half of what the plan needs (`plan_part`: customers, and the links events
    make) and sends it to the other, so both make the same plan having read half of it each.
    """
    half = len(raw) // 2
    down, up = _pipe(), _pipe()  # the first process's part of the plan down to the second, and its up
    pid, reader = _forked(lambda: _share_of(raw, override, lang, 1, (half, len(raw)), down, up))
    os.close(down[0])
    os.close(up[1])
    data = _quick_load(raw, checked=False)
    try:
        mine = _part_of(data, 0)
        _send(down[1], mine)
        theirs = _received(up[0])
        split = (
            None
            if mine is None or theirs is None
            else split_scenario(data, 2, policy_override=override, first=FIRST_SHARE, parts=[mine, theirs])
        )
        own = None if split is None else _share_written(data, split, 0, lang, raw, (0, half), kept)
        if kept is not None:
            kept.append(split)
    except Exception:  # whatever it is, the whole file's reading says it (or raises it)
        own = None
    except BaseException:  # Ctrl-C: the second process is stopped, not left behind
        _stop(pid, reader)
        raise
    if own is None:
        _stop(pid, reader)
        return None, data
    sent = _collect(pid, reader)
    if sent is None:
        return None, data
    (indices, answers_as_they_are, wrong), written = sent
    other = (indices, written or answers_as_they_are, wrong)
    total = len(own[0]) + len(other[0])
    answers: list[Any] = [None] * total
    mismatches: list[tuple[int, str]] = []
    for indices, written, wrong in (own, other):
        for place, item in zip(indices, written, strict=True):
            if place >= total:
                return None, data
            answers[place] = item
        mismatches += wrong
    if any(item is None for item in answers):  # pragma: no cover - every question is one share's
        return None, data
    # The engine's Outcome holds answers as dicts; these pieces are read only by indented_bytes.
    return Outcome(answers=answers, mismatches=[line for _, line in sorted(mismatches)]), data


def _share_of(
    raw: bytes,
    override: dict[str, Any] | None,
    lang: str,
    index: int,
    part: tuple[int, int],
    down: tuple[int, int],
    up: tuple[int, int],
) -> tuple[tuple[Any, ...], list[Any]]:
    """In the second process: the file read, its part of the plan swapped for the first's (read from
    `down`, sent `up`: in that order, so that neither waits on the other while both write), the split
    planned, and this share answered."""
    os.close(down[1])
    os.close(up[0])
    data = _quick_load(raw, checked=False)
    mine = _part_of(data, index)
    theirs = _received(down[0])
    _send(up[1], mine)
    split = (
        None
        if mine is None or theirs is None
        else split_scenario(data, 2, policy_override=override, first=FIRST_SHARE, parts=[theirs, mine])
    )
    _LEFT_TO_EXIT.append((data, split))  # freed object by object, the file's objects took 20 ms
    if split is None:
        raise _NotShared  # nothing to share (the first process stops this one)
    indices, written, wrong = _share_written(data, split, index, lang, raw, part, _LEFT_TO_EXIT)
    return _detached((indices, written, wrong), 1)


def _part_of(data: Any, index: int) -> PlanPart | None:
    """This process's part of what the plan reads, or None where the file is not one to split or is
    wrong there (the whole file's reading then says what is wrong)."""
    if data is _MISS or type(data) is not dict:
        return None
    try:
        return plan_part(data, index, 2)
    except Exception:
        return None


def _pipe() -> tuple[int, int]:
    reader, writer = os.pipe()
    with contextlib.suppress(AttributeError, OSError):  # Linux: a megabyte a turn, not 64 KB
        fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, 1 << 20)
    return reader, writer


def _send(writer: int, part: PlanPart | None) -> None:
    """A part of the plan, pickled after its length (none: an empty one), and the pipe closed."""
    try:
        body = b"" if part is None else pickle.dumps((part.customers, part.links, part.filed), pickle.HIGHEST_PROTOCOL)
        view = memoryview(len(body).to_bytes(8, "little") + body)
        while view:
            view = view[os.write(writer, view) :]
    finally:
        os.close(writer)


def _received(reader: int) -> PlanPart | None:
    """The other process's part of the plan, or None where it sent none (or ended)."""
    with os.fdopen(reader, "rb") as pipe:
        size = int.from_bytes(pipe.read(8), "little")
        body = pipe.read(size) if size else b""
    if not size or len(body) != size:
        return None
    customers, links, filed = pickle.loads(body)
    return PlanPart(customers=customers, links=links, filed=filed)


def _detached(result: tuple[Any, ...], at: int) -> tuple[tuple[Any, ...], list[Any]]:
    """The result with its answers at `at` taken out where they are written (`_forked` sends those as
    they are), else left in, as dicts, and none taken out."""
    answers = result[at]
    if not answers or type(answers[0]) not in _WRITTEN:
        return result, []
    return (*result[:at], [], *result[at + 1 :]), answers


class _NotShared(Exception):
    """A share gives up (nothing to share, or orjson read a number json reads otherwise): the first
    process reads and answers the file whole (`_read_in_shares`)."""


def _share_written(
    data: Any,
    split: Split,
    index: int,
    lang: str,
    raw: bytes,
    part: tuple[int, int],
    keep: list[Any] | None = None,
) -> tuple[list[int], list[Any], list[tuple[int, str]]]:
    """A share's answers, written (or as they are, if unusual), with their places and disagreements.

    First the share's `part` of the file's bytes is checked for long numbers (`_quick_load`). `keep`:
    see `answer_share`.
    """
    if _long_number_in(raw, *part):
        raise _NotShared
    outcome, indices = answer_share(data, split, index, lang, keep=keep)
    if keep is not None:
        keep.append(outcome)
    wrong = [place for place, item in zip(indices, outcome.answers, strict=True) if not item["ok"]]
    pieces = _pieces(outcome.answers)
    return indices, outcome.answers if pieces is None else pieces, list(zip(wrong, outcome.mismatches, strict=True))


def _in_two(questions: Sequence[Question], answer_some: Answerer) -> Outcome:
    """Judge the second half of the questions in a forked process while this one judges the first.

    For a file `_in_shares` does not split. The fork inherits the timeline already built; the
    second process sends back its answers written (writing them is part of the work shared) and its
    disagreements. Whatever goes wrong there, its half is judged again here, where an error is
    raised and reported as it would be without it.
    """
    if len(questions) < SHARED_FROM:
        return answer_some(questions)
    half = len(questions) // 2

    def second() -> tuple[tuple[Any, ...], list[Any]]:
        outcome = answer_some(questions[half:])
        pieces = _pieces(outcome.answers)
        return _detached((outcome.answers if pieces is None else pieces, outcome.mismatches), 0)

    pid, reader = _forked(second)
    try:
        first = answer_some(questions[:half])
    except BaseException:
        _stop(pid, reader)
        raise
    sent = _collect(pid, reader)
    if sent is None:
        outcome = answer_some(questions[half:])
        answers: list[Any] = outcome.answers
        mismatches = outcome.mismatches
    else:
        (as_they_are, mismatches), written = sent
        answers = written or as_they_are
    return Outcome(answers=first.answers + answers, mismatches=first.mismatches + mismatches)


def _pieces(answers: list[dict[str, Any]]) -> list[memoryview] | None:
    """Each answer written as `indented_json` writes it in {"results": [...]}; None if any is unusual.

    The list is written by orjson at once, in its place in the document, and viewed between its
    items: with no raw line break inside a JSON string, a line opening with exactly four spaces and a
    brace starts an item, and only that.
    """
    if not answers:
        return []
    text = indented_bytes({"results": answers})
    if text is None:
        return None
    whole, between = memoryview(text), len(_BETWEEN_ANSWERS)
    cuts = [found.start() for found in _NEXT_ANSWER.finditer(text, len(_RESULTS_OPEN))]
    if len(cuts) != len(answers) - 1:  # pragma: no cover - an answer is a dict
        return None
    starts = [len(_RESULTS_OPEN), *(cut + between for cut in cuts)]
    ends = [*cuts, len(text) - len(_RESULTS_CLOSE) - 2]
    return [whole[start:end] for start, end in zip(starts, ends, strict=True)]


_BETWEEN_ANSWERS = b",\n    "
_NEXT_ANSWER = re.compile(re.escape(_BETWEEN_ANSWERS) + rb"\{")
_RESULTS_OPEN = b'{\n  "results": [\n    '
_RESULTS_CLOSE = b"\n  ]"


def _replay(
    files: Sequence[str],
    override: dict[str, Any] | None,
    proposal: dict[str, Any] | None,
    lang: str,
    out: TextIO,
    err: TextIO,
    workers: int = 1,
    kept: list[Any] | None = None,
) -> int:
    results: list[dict[str, Any]] = []
    summaries: list[dict[str, Any]] = []
    status = EXIT_OK
    for name in files:
        try:
            if proposal is None and workers > 1:
                data, outcome = _read_in_shares(name, override, lang, kept)
            else:
                data, outcome = read_file(name), None
            if proposal is not None:
                report = what_if(data, proposal, policy_override=override, lang=lang)
                summaries.append({"file": name, **report})
                continue
            if outcome is None:
                outcome = answer(data, policy_override=override, lang=lang, runner=_in_two if workers > 1 else None)
            if kept is not None:
                kept.append(data)
        except ReplayInputError as error:
            print(error.line(lang), file=err)
            status = EXIT_UNREADABLE
            continue
        except EngineError as error:
            print(ReplayInputError(name, error.path, error.zh, error.en).line(lang), file=err)
            status = EXIT_UNREADABLE
            continue
        results.extend(outcome.answers)
        summaries.append(
            {"file": name, "title": data.get("title", ""), "answers": len(outcome.answers), "ok": outcome.ok}
        )
        for line in outcome.mismatches:
            print(f"{'不一致' if lang == 'zh' else 'disagrees'}: {name}: {line}", file=err)
        if not outcome.ok and status == EXIT_OK:
            status = EXIT_DISAGREE
    if proposal is not None:
        document: dict[str, Any] = {"what_if": summaries}
    else:
        document = {"results": results}
        if len(files) > 1:
            document["files"] = summaries
    # One string, one write: json.dump writes each of a million tokens through the stream separately.
    quick = indented_chunks(document) if _utf8_buffer(out) else None
    if quick is not None:
        out.flush()
        out.buffer.writelines(quick)
    else:
        out.write(indented_json(document))
    out.write("\n")
    if kept is not None:
        kept.append(document)
    return status


def _utf8_buffer(out: TextIO) -> bool:
    """Whether UTF-8 bytes may go straight to the stream's buffer (standard output, as a rule)."""
    encoding = getattr(out, "encoding", None)
    return hasattr(out, "buffer") and isinstance(encoding, str) and encoding.lower().replace("-", "") == "utf8"


class _Unusual(Exception):
    """A value indented_json leaves to json.dumps."""


_INFINITY = float("inf")
_FLOATS = {_INFINITY: "Infinity", -_INFINITY: "-Infinity"}  # and NaN, as json.dumps writes them


def indented_json(document: Any) -> str:
    """`json.dumps(document, ensure_ascii=False, indent=2)`, character for character, faster.

    With an indent, json.dumps leaves its C encoder for a Python generator per value; writing the
    15 MB of answers to a 200,000-event file took longer than judging it. Strings, numbers, true,
    false and null in dicts (with string keys) and lists are written here, with the C string encoder;
    anything else goes to json.dumps, which writes it or says why it cannot.
    """
    quick = indented_bytes(document)
    if quick is not None:
        return quick.decode("utf-8")
    parts: list[str] = []
    try:
        _put(document, "\n", parts)
    except _Unusual:
        return json.dumps(_unwritten(document), ensure_ascii=False, indent=len(INDENT))
    return "".join(parts)


def indented_bytes(document: Any) -> bytes | None:
    """`indented_json(document)` in UTF-8, written by orjson (decision 501), or None where it would differ.

    orjson writes what `_plain` admits as json.dumps does, indented by two spaces as json.dumps is
    asked to (decision 538). Answers already written (views, `_pieces`) are put in as
    they are.
    """
    chunks = indented_chunks(document)
    return None if chunks is None else b"".join(chunks)


def indented_chunks(document: Any) -> list[bytes] | None:
    """`indented_bytes(document)` as a few strings of bytes to write one after another (a whole copy
    of the 15 MB of answers fewer)."""
    if _fast_dumps is None:
        return None
    results = document.get("results") if type(document) is dict else None
    if type(results) is list and any(type(item) in _WRITTEN for item in results):
        return _with_pieces(document, results)
    if not _plain(document):
        return None
    try:
        return [_fast_dumps(document, option=OPT_INDENT_2)]
    except TypeError:  # orjson.JSONEncodeError: a lone surrogate, which json.dumps writes as an escape
        return None


def _with_pieces(document: dict[str, Any], results: list[Any]) -> list[bytes] | None:
    """{"results": [...], ...} written around answers of which some are already written."""
    if next(iter(document)) != "results":  # pragma: no cover - _replay puts the results first
        return None
    items: list[bytes | memoryview] = []
    for item in results:
        if type(item) in _WRITTEN:
            items.append(item)
            continue
        written = _pieces([item])
        if written is None:
            return None
        items += written
    rest = {key: value for key, value in document.items() if key != "results"}
    tail = indented_bytes(rest) if rest else b"{\n}"  # '{\n  "files": ...\n}'
    if tail is None:
        return None
    return [_RESULTS_OPEN, _BETWEEN_ANSWERS.join(items), _RESULTS_CLOSE, b"," if rest else b"", tail[1:]]


def _plain(value: Any) -> bool:
    """Whether orjson writes the value exactly as json.dumps does (decision 501).

    Dicts with string keys, lists, tuples, strings (not a subclass), true, false, null,
    integers of 64 bits and finite floats from 0.0001 up (orjson writes 1e-05 as 0.00001, NaN as null).
    """
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (type(item) is not str and item is not None and not _plain(item)):
                return False
        return True
    if kind is list or kind is tuple:
        for item in value:  # noqa: SIM110 - all() over a generator took twice as long here
            if type(item) is not str and not _plain(item):
                return False
        return True
    if kind is str or value is None or value is True or value is False:
        return True
    if kind is int:
        return bool(-(2**63) <= value < 2**64)
    if kind is float:
        return bool(value == 0.0 or _SMALLEST <= abs(value) < _INFINITY)  # NaN: neither
    return False


_SMALLEST = 1e-4  # orjson and repr write floats alike from here up


def _unwritten(value: Any) -> Any:
    """The document with every answer already written (`_pieces`) read back, for json.dumps."""
    if type(value) in _WRITTEN:
        return json.loads(bytes(value))
    if type(value) is dict:
        return {key: _unwritten(item) for key, item in value.items()}
    if type(value) is list:
        return [_unwritten(item) for item in value]
    return value


def _put(value: Any, pad: str, parts: list[str]) -> None:
    kind = type(value)
    if kind is dict:
        if not value:
            parts.append("{}")
            return
        inner, opening = pad + INDENT, "{"
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            if type(item) is str:  # most values: one piece with their key
                parts.append(f"{opening}{inner}{_string(key)}: {_string(item)}")
            else:
                parts.append(f"{opening}{inner}{_string(key)}: ")
                _scalar(item, inner, parts)
            opening = ","
        parts.append(pad + "}")
    elif kind is list or kind is tuple:
        if not value:
            parts.append("[]")
            return
        inner, opening = pad + INDENT, "["
        for item in value:
            if type(item) is str:
                parts.append(f"{opening}{inner}{_string(item)}")
            else:
                parts.append(opening + inner)
                _scalar(item, inner, parts)
            opening = ","
        parts.append(pad + "]")
    else:
        _scalar(value, pad, parts)


def _scalar(value: Any, pad: str, parts: list[str]) -> None:
    kind = type(value)
    if kind is str:
        parts.append(_string(value))
    elif kind in _WRITTEN:
        if pad != ANSWER_PAD:  # pragma: no cover - only ever an item of {"results": [...]}
            raise _Unusual
        parts.append(bytes(value).decode("utf-8"))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif kind is int:
        parts.append(int.__repr__(value))
    elif kind is float:
        parts.append(float.__repr__(value) if -_INFINITY < value < _INFINITY else _FLOATS.get(value, "NaN"))
    elif kind is dict or kind is list or kind is tuple:
        _put(value, pad, parts)
    else:
        raise _Unusual
