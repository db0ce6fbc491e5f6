"""Cleaning many inputs: plan the outputs, classify in worker processes, write safely.

>>> opts = CleanOptions(format="text", jobs=2)                      # doctest: +SKIP
>>> tasks = plan(["corpus/"], Path("clean/"), opts)                 # doctest: +SKIP
>>> summary = run(tasks, opts, sys.stdout.buffer)                   # doctest: +SKIP
>>> print(summary.format())                                         # doctest: +SKIP

Pages go to the model in chunks of ``CHUNK_DOCS`` documents whose boundaries depend only on the
inputs, and results are written in input order, so outputs are the same bytes for any number of
workers. Outputs are written to a temporary file beside the target and renamed into place, so a
reader (or an interrupted run) never sees half a file; a later run skips outputs that are not
older than their input. A temporary file is named ``.NAME.PID.RANDOM.tmp`` after its target and
the process writing it; one whose process is gone (killed with -9, a power cut) is removed by the
next run that writes NAME.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import itertools
import json
import math
import multiprocessing
import os
import sys
import tempfile
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .formats import FORMATS, render, render_record
from .io import InputError, check_encoding, decode, display_name, iter_jsonl, read_bytes
from .repetition import DEFAULT_CAPACITY, DEFAULT_MIN_DOCS, RepeatedLine, RepeatedLines, RepetitionCounter
from .splitter import DEFAULT_KEEP, Splitter
from .textmodel import LABELS

DEFAULT_MAX_BYTES = 10_000_000
# Big enough that classify_many's batching pays off (a chunk of 32 pages runs ~3x faster than
# 32 single pages), small enough that two workers share the work of a few hundred pages.
CHUNK_DOCS = 32
CHUNK_BYTES = 4_000_000
_MAX_LISTED = 20


class UsageError(ValueError):
    """The run cannot start as asked (the command line exits with code 2)."""


class WorkerError(RuntimeError):
    """A worker process died (killed, out of memory); the run cannot go on."""


@dataclass(frozen=True)
class CleanOptions:
    """How to clean a batch: output format and labels kept, input kind and limits, workers, model.

    ``format`` is "text" (the clean article), "jsonl" (a record with the clean text and the
    spans) or "spans" (a labelled view). With ``jsonl=True`` every input is a JSONL file of
    records whose ``text_field`` is cleaned; the output is JSONL with every field of the input
    record plus ``clean`` (and ``spans`` unless format is "text").
    """

    format: str = "text"
    keep: tuple[str, ...] = DEFAULT_KEEP
    jsonl: bool = False
    text_field: str = "text"
    id_field: str = "id"
    glob: str | None = None
    encoding: str | None = None
    max_bytes: int | None = DEFAULT_MAX_BYTES
    force: bool = False
    jobs: int = 1
    model: str | Path | None = None
    chunk_docs: int = CHUNK_DOCS
    batch_stats: bool = False
    min_docs: int = DEFAULT_MIN_DOCS
    repeated: RepeatedLines | None = None  # filled in by run() when batch_stats is on

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise UsageError(f"unknown format {self.format!r}; choose from {', '.join(FORMATS)}")
        bad = set(self.keep) - set(LABELS)
        if bad or not self.keep:
            raise UsageError(f"--keep: choose from {', '.join(LABELS)}")
        if self.jsonl and self.format == "spans":
            raise UsageError("--format spans is for text inputs; JSONL input gives JSONL (--format jsonl or text)")
        if self.min_docs < 2:
            raise UsageError("--min-docs must be at least 2 (a line in one document does not repeat)")
        if self.jobs < 1 or self.chunk_docs < 1:
            raise UsageError("-j and the chunk size must be at least 1")
        if self.encoding:
            try:
                check_encoding(self.encoding)
            except LookupError:
                raise UsageError(f"unknown encoding {self.encoding!r}") from None


@dataclass(frozen=True)
class Task:
    """One input: a file (or ``"-"``), its key in the output tree and its output (``None``: stdout).

    ``error`` is set for an input that was found broken while planning (an unlistable folder).
    """

    source: str
    rel: str
    output: Path | None
    size: int = 0
    error: str | None = None

    @property
    def name(self) -> str:
        return display_name(self.source)


def default_jobs() -> int:
    """The number of CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def plan(paths: Sequence[str], outdir: str | Path | None, options: CleanOptions) -> list[Task]:
    """The inputs under ``paths`` (files, folders walked recursively, ``"-"``) and their outputs.

    Folders are walked top-down in sorted order (a folder's files, then its subfolders), skipping
    hidden files and folders (and ``outdir`` when it lies inside); files named on the command line are always taken, folders' files only when
    they match ``options.glob``. With ``outdir``, a file's output keeps its path relative to the
    folder it was found in (a named file: its name). Raises ``UsageError`` when outputs would
    overwrite an input or each other, or when several text outputs would go to stdout.
    """
    if not paths:
        raise UsageError("no input given")
    if list(paths).count("-") > 1:
        raise UsageError("stdin (-) can be read only once")
    if options.batch_stats and "-" in paths:
        raise UsageError("--batch-stats reads the inputs twice, and stdin (-) can be read only once; "
                         "save it to a file first")
    out = Path(outdir) if outdir is not None else None
    out_real = out.resolve() if out is not None else None
    if out is not None and out.exists() and not out.is_dir():
        raise UsageError(f"-o {out}: exists and is not a folder")
    if out is None and not options.jsonl and options.format != "jsonl":
        if len(paths) > 1 or (paths[0] != "-" and Path(paths[0]).is_dir()):
            raise UsageError(f"{options.format} output of a folder or of several inputs needs -o OUTDIR "
                             "(or --format jsonl, which writes one record per input to stdout)")

    found: list[tuple[str, str, int, str | None]] = []  # source, rel, size, error
    for p in paths:
        if p == "-":
            found.append(("-", "stdin.jsonl" if options.jsonl else "stdin.txt", 0, None))
            continue
        path = Path(p)
        if path.is_dir():
            if out_real is not None and path.resolve() == out_real:
                raise UsageError(f"-o {out} is the input folder {p}; outputs would mix with (or overwrite) "
                                 "the inputs, choose another folder")
            found.extend(_walk(path, options.glob, out_real))
        else:
            found.append((p, path.name, _size(path), None))

    tasks = []
    for source, rel, size, error in found:
        target = None if out is None or error else out / _output_rel(rel, options)
        tasks.append(Task(source, rel, target, size, error))
    if out is not None:
        _check_outputs(tasks)
    return tasks


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _walk(root: Path, pattern: str | None, prune: Path | None) -> Iterator[tuple[str, str, int, str | None]]:
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        while errors:
            exc = errors.pop()
            yield str(exc.filename), "", 0, f"cannot list folder ({exc.strerror or exc})"
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and (prune is None or Path(dirpath, d).resolve() != prune))
        for fname in sorted(filenames):
            if fname.startswith("."):
                continue
            path = Path(dirpath, fname)
            rel = path.relative_to(root).as_posix()
            if pattern and not fnmatch.fnmatchcase(rel if "/" in pattern else fname, pattern):
                continue
            yield str(path), rel, _size(path), None
    while errors:
        exc = errors.pop()
        yield str(exc.filename), "", 0, f"cannot list folder ({exc.strerror or exc})"


def _output_rel(rel: str, options: CleanOptions) -> str:
    if options.jsonl or options.format == "text":
        return rel
    return rel + (".jsonl" if options.format == "jsonl" else ".spans")


def _check_outputs(tasks: list[Task]) -> None:
    inputs = {Path(t.source).resolve(): t.source for t in tasks if t.source != "-" and not t.error}
    seen: dict[Path, str] = {}
    for t in tasks:
        if t.output is None:
            continue
        real = t.output.resolve()
        if real in inputs:
            raise UsageError(f"output {t.output} would overwrite the input {inputs[real]}; "
                             "langsplit never writes over its inputs, choose another -o")
        if real in seen:
            raise UsageError(f"{seen[real]} and {t.source} would both be written to {t.output}; "
                             "clean them into separate -o folders")
        seen[real] = t.source


def up_to_date(task: Task, force: bool = False) -> bool:
    """Whether ``task``'s output exists and is not older than its input (never for stdin/stdout)."""
    if force or task.output is None or task.source == "-":
        return False
    try:
        return task.output.stat().st_mtime_ns >= os.stat(task.source).st_mtime_ns
    except OSError:
        return False


@dataclass
class Summary:
    """Counts of a run: documents cleaned, inputs skipped as up to date, failures with reasons."""

    cleaned: int = 0
    skipped: int = 0
    failed: list[InputError] = field(default_factory=list)
    bytes_in: int = 0
    seconds: float = 0.0

    @property
    def docs_per_s(self) -> float:
        return self.cleaned / self.seconds if self.seconds > 0 else 0.0

    @property
    def exit_code(self) -> int:
        """0 when nothing failed, 1 otherwise."""
        return 1 if self.failed else 0

    def format(self) -> str:
        """Human-readable summary: one line of counts, and the failed inputs if any."""
        text = (f"cleaned {self.cleaned}, skipped {self.skipped} (up to date), failed {len(self.failed)}; "
                f"{self.bytes_in / 1e6:.2f} MB in {self.seconds:.1f} s, {self.docs_per_s:.1f} docs/s")
        if self.failed:
            names = ", ".join(e.name for e in self.failed[:_MAX_LISTED])
            more = len(self.failed) - _MAX_LISTED
            text += f"\nfailed: {names}" + (f" and {more} more" if more > 0 else "")
        return text


# ---- output sinks -------------------------------------------------------------------------------

class _StdoutSink:
    """Output to a stream; nothing to commit or undo."""

    whole = False

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.docs = 0
        self.target = "<stdout>"

    def write(self, data: bytes) -> None:
        self.stream.write(data)

    def commit(self) -> None:
        self.stream.flush()

    def abort(self) -> None:
        pass


class _AtomicFile:
    """A file written under a temporary name beside its target and renamed into place on commit."""

    def __init__(self, target: Path, whole: bool):
        self.target = target
        self.whole = whole  # one document is the whole file: a failed document means no file
        self.docs = 0
        self._tmp: str | None = None
        self._file: BinaryIO | None = None
        self.error: OSError | None = None
        self.aborted = False

    def _open(self) -> BinaryIO:
        if self._file is None:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            fd, self._tmp = tempfile.mkstemp(dir=self.target.parent, prefix=f".{self.target.name}.{os.getpid()}.",
                                             suffix=".tmp")
            # mkstemp makes the file private (0600); outputs should look like any other new file.
            os.chmod(fd, 0o666 & ~_umask())
            self._file = os.fdopen(fd, "wb")
        return self._file

    def write(self, data: bytes) -> None:
        if self.error or self.aborted:
            return
        try:
            self._open().write(data)
        except OSError as exc:
            self.error = exc

    def commit(self) -> None:
        """Rename the finished file into place; raises the first ``OSError`` met while writing it."""
        if self.aborted:
            return
        try:
            if self.error:
                raise self.error
            self._open().close()
            os.replace(self._tmp, self.target)  # type: ignore[arg-type]
            self._tmp = None
        finally:
            self.abort()

    def abort(self) -> None:
        self.aborted = True
        if self._file is not None and not self._file.closed:
            self._file.close()
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except OSError:
                pass
            self._tmp = None


def remove_stale_temporaries(tasks: Sequence[Task]) -> int:
    """Remove the temporary files that dead runs left beside ``tasks``' outputs; returns how many.

    Only files named as ``_AtomicFile`` names them, for one of the outputs, by a process that no
    longer exists: a run still writing into the same folder keeps its files.
    """
    targets: dict[Path, set[str]] = {}
    for t in tasks:
        if t.output is not None:
            targets.setdefault(t.output.parent, set()).add(t.output.name)
    removed = 0
    for folder, names in targets.items():
        try:
            entries = os.listdir(folder)
        except OSError:  # not made yet, or unreadable: writing will say so
            continue
        for entry in entries:
            if not (entry.startswith(".") and entry.endswith(".tmp")):
                continue
            parts = entry[1:-4].rsplit(".", 2)
            if len(parts) != 3 or parts[0] not in names or not parts[1].isdigit() or _alive(int(parts[1])):
                continue
            try:
                os.unlink(os.path.join(folder, entry))
                removed += 1
            except OSError:
                pass
    return removed


def _alive(pid: int) -> bool:
    if os.name != "posix" or pid == os.getpid():
        return True  # elsewhere os.kill(pid, 0) would not just ask, it would end the process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


_UMASK: int | None = None


def _umask() -> int:
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0o022)
        os.umask(_UMASK)
    return _UMASK


# ---- the work: classify and render a chunk of documents ------------------------------------------

class _Worker:
    """A loaded model and the output settings: turns (text, base record) pairs into output bytes."""

    def __init__(self, options: CleanOptions, splitter: Splitter | None = None):
        self.splitter = splitter if splitter is not None else Splitter.load(options.model)
        if options.repeated is not None:
            self.splitter = self.splitter.with_repeated(options.repeated)
        self.format = options.format
        self.keep = options.keep
        self.records = options.jsonl

    def __call__(self, docs: list[tuple[str, dict]]) -> list[tuple[bool, bytes | str]]:
        if not docs:
            return []
        try:
            pages = self.splitter.classify_many([text for text, _ in docs])
        except Exception:  # noqa: BLE001 - find which page it was, and keep the others
            return [self._one(text, base) for text, base in docs]
        return [self._rendered(text, spans, base) for (text, base), spans in zip(docs, pages)]

    def _one(self, text: str, base: dict) -> tuple[bool, bytes | str]:
        try:
            spans = self.splitter.classify(text)
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the run
            return False, f"classification failed ({type(exc).__name__}: {exc})"
        return self._rendered(text, spans, base)

    def _rendered(self, text: str, spans, base: dict) -> tuple[bool, bytes | str]:
        try:
            return True, self._render(text, spans, base)
        except Exception as exc:  # noqa: BLE001 - one bad record must not stop the run
            return False, f"cannot write the result ({type(exc).__name__}: {exc})"

    def _render(self, text: str, spans, base: dict) -> bytes:
        if self.records:
            out = render_record(base, text, spans, self.keep, with_spans=self.format == "jsonl")
            try:
                return out.encode("utf-8")
            except UnicodeEncodeError:
                # A JSON record may hold lone surrogates ("\ud800" escapes), which UTF-8 cannot
                # carry; write them as the same escapes (the record round-trips unchanged).
                return (json.dumps(json.loads(out), ensure_ascii=True) + "\n").encode("ascii")
        out = render(self.format, text, spans, self.keep, base)
        return out.encode("utf-8")


_worker: _Worker | None = None
_worker_error: BaseException | None = None


def _init_worker(options: CleanOptions) -> None:
    global _worker, _worker_error
    try:
        _worker = _Worker(options)
    except BaseException as exc:  # noqa: BLE001 - raised again with each chunk, see _work
        # An exception here would make the pool unusable without saying why; keep it and
        # raise it from _work, where it travels back to the parent.
        _worker_error = exc


def _work(docs: list[tuple[str, dict]]) -> list[tuple[bool, bytes | str]]:
    if _worker_error is not None:
        raise _worker_error
    assert _worker is not None
    return _worker(docs)


class _Now:
    """A finished result with the interface of a Future."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


class _InProcess:
    """Classify in this process (``-j 1``): no pickling, no start-up cost."""

    max_pending = 0

    def __init__(self, options: CleanOptions, splitter: Splitter | None = None):
        self.worker = _Worker(options, splitter)

    def submit(self, docs):
        return _Now(self.worker(docs))

    def close(self) -> None:
        pass


class _Pool:
    """Worker processes, each loading the model once (ProcessPoolExecutor, so that a worker that
    dies raises BrokenProcessPool instead of hanging the run as multiprocessing.Pool would)."""

    def __init__(self, options: CleanOptions, workers: int):
        # forkserver: workers fork from a clean server process, never from this one, whose OpenMP
        # runtime may already be running threads (libgomp does not survive fork()).
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        ctx = multiprocessing.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["langsplit.batch"])
        self.max_pending = 2 * workers
        self.pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(options,))

    def submit(self, docs):
        if not docs:
            return _Now([])
        try:
            return self.pool.submit(_work, docs)
        except BrokenProcessPool as exc:
            raise WorkerError(f"a worker process died ({exc})") from None

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


# ---- the run ------------------------------------------------------------------------------------

@dataclass
class _Doc:
    text: str
    base: dict
    sink: _StdoutSink | _AtomicFile
    name: str
    nbytes: int


@dataclass
class _Fail:
    error: InputError
    sink: _StdoutSink | _AtomicFile | None = None  # output to undo: its input broke part-way
    nbytes: int = 0


@dataclass
class _Close:
    """The end of an input: commit its output (if any)."""

    sink: _StdoutSink | _AtomicFile | None


def _file_items(tasks: list[Task], options: CleanOptions, stdout: BinaryIO,
                opened: weakref.WeakSet) -> Iterator[_Doc | _Fail | _Close]:
    sink_out = _StdoutSink(stdout)
    sink = None
    try:
        for t in tasks:
            try:
                data = read_bytes(t.source, options.max_bytes)
                text = decode(data, t.name, options.encoding)
            except InputError as exc:
                yield _Fail(exc, nbytes=t.size)
                yield _Close(None)
                continue
            sink = sink_out if t.output is None else _AtomicFile(t.output, whole=True)
            opened.add(sink)
            yield _Doc(text, {"id": t.rel if t.source != "-" else "-", "path": t.name}, sink, t.name, len(data))
            yield _Close(sink)
    except BaseException:
        # Closed early (an interrupted run): the last output may be half written, and its _Close
        # may not have reached the run's pending chunks, whose outputs the run aborts itself.
        if sink is not None:
            sink.abort()
        raise


def _record_items(tasks: list[Task], options: CleanOptions, stdout: BinaryIO,
                  opened: weakref.WeakSet) -> Iterator[_Doc | _Fail | _Close]:
    sink_out = _StdoutSink(stdout)
    sink = None
    try:
        for t in tasks:
            sink = sink_out if t.output is None else _AtomicFile(t.output, whole=False)
            opened.add(sink)
            try:
                for rec in iter_jsonl(t.source, options.text_field, options.id_field, options.encoding,
                                      options.max_bytes):
                    if isinstance(rec, InputError):
                        yield _Fail(rec)
                    else:
                        name = f"{t.name}:{rec.line}" + (f" (id {rec.id})" if rec.id is not None else "")
                        yield _Doc(rec.text, rec.data, sink, name, rec.nbytes)
            except InputError as exc:
                # Records after the break are lost; keeping the rest would make the next run skip
                # this file as done.
                yield _Fail(exc, sink if t.output is not None else None)
            yield _Close(sink)
    except BaseException:
        # Closed early (an interrupted run): the records written so far are not the whole file.
        if sink is not None:
            sink.abort()
        raise


def _chunks(items: Iterator[_Doc | _Fail | _Close], chunk_docs: int) -> Iterator[list[_Doc | _Fail | _Close]]:
    chunk: list = []
    docs = size = 0
    for item in items:
        chunk.append(item)
        if isinstance(item, _Doc):
            docs += 1
            size += len(item.text)
        if docs >= chunk_docs or size >= CHUNK_BYTES or len(chunk) >= 8 * chunk_docs:
            yield chunk
            chunk, docs, size = [], 0, 0
    if chunk:
        yield chunk


class _Progress:
    """A progress bar on stderr (tqdm), or nothing; messages go around the bar."""

    def __init__(self, enabled: bool, total_bytes: int, total_items: int, report: Callable[[str], None],
                 desc: str = "cleaning"):
        self.report = report
        self.bar = None
        self.items = self.docs = 0
        self.total_items = total_items
        self.start = time.perf_counter()
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total_bytes or None, unit="B", unit_scale=True, unit_divisor=1000,
                            file=sys.stderr, dynamic_ncols=True, mininterval=0.3, desc=desc, leave=False)

    def advance(self, nbytes: int = 0, docs: int = 0, items: int = 0) -> None:
        self.items += items
        self.docs += docs
        if self.bar is not None:
            rate = self.docs / max(time.perf_counter() - self.start, 1e-9)
            self.bar.set_postfix_str(f"{self.items}/{self.total_items} inputs, {self.docs} docs, "
                                     f"{rate:.1f} docs/s", refresh=False)
            self.bar.update(nbytes)

    def say(self, message: str) -> None:
        if self.bar is not None:
            self.bar.write(message, file=sys.stderr)
        else:
            self.report(message)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def run(tasks: Sequence[Task], options: CleanOptions, stdout: BinaryIO,
        report: Callable[[str], None] = _stderr, progress: bool = False,
        splitter: Splitter | None = None) -> Summary:
    """Clean ``tasks`` (from ``plan``) and return the counts.

    Outputs go to each task's output file, or to ``stdout`` (a binary stream) in input order.
    Every broken input is reported through ``report`` as ``"name: reason (skipped)"`` and
    counted; the run goes on. ``ModelError`` (the model cannot be loaded) and ``WorkerError``
    (a worker process died) stop the run.
    ``progress`` draws a bar on stderr. ``splitter``, if given, is used instead of loading
    ``options.model`` when the run stays in this process (one worker).
    """
    start = time.perf_counter()
    summary = Summary()
    remove_stale_temporaries(tasks)
    todo: list[Task] = []
    for t in tasks:
        if t.error:
            summary.failed.append(InputError(t.name, t.error))
            report(f"{t.name}: {t.error} (skipped)")
        elif up_to_date(t, options.force):
            summary.skipped += 1
        else:
            todo.append(t)
    if not todo:
        summary.seconds = time.perf_counter() - start
        return summary

    if options.batch_stats and options.repeated is None:
        counter = count_batch(tasks, options, progress)
        repeated = counter.repeated(options.min_docs)
        options = dataclasses.replace(options, repeated=repeated)
        report(f"batch statistics: {counter.documents} documents, {len(repeated)} lines repeated in at least "
               f"{options.min_docs} documents about different articles will not be kept as body")

    total_bytes = sum(t.size for t in todo)
    # Every output this run opens, until it is committed and dropped: an interrupted run aborts
    # them all, wherever their end-of-input marker was (a chunk being built holds some).
    opened: weakref.WeakSet = weakref.WeakSet()
    items = (_record_items if options.jsonl else _file_items)(todo, options, stdout, opened)
    chunks = _chunks(items, options.chunk_docs)
    # Starting workers (a second or so each) only pays off when there is more than one chunk.
    ahead = list(itertools.islice(chunks, 2))
    workers = options.jobs if len(ahead) > 1 else 1
    if not options.jsonl:
        workers = min(workers, math.ceil(len(todo) / options.chunk_docs))

    bar = _Progress(progress, total_bytes, len(todo), report)
    pending: deque = deque()
    executor = _InProcess(options, splitter) if workers == 1 else _Pool(options, workers)
    try:
        for chunk in itertools.chain(ahead, chunks):
            docs = [(d.text, d.base) for d in chunk if isinstance(d, _Doc)]
            pending.append((chunk, executor.submit(docs)))
            while len(pending) > executor.max_pending:
                _finish(*pending[0], summary, bar)
                pending.popleft()  # only now: if interrupted, the finally below cleans it up
        while pending:
            _finish(*pending[0], summary, bar)
            pending.popleft()
    finally:
        for chunk, _ in pending:  # interrupted: leave no temporary files behind
            for item in chunk:
                if isinstance(item, _Close) and item.sink is not None:
                    item.sink.abort()
        items.close()  # aborts the output of an input that was being read
        for sink in list(opened):
            sink.abort()  # a committed output is left alone
        executor.close()
        bar.close()
    summary.seconds = time.perf_counter() - start
    return summary


def _finish(chunk: list, future, summary: Summary, bar: _Progress) -> None:
    try:
        results = iter(future.result())
    except BrokenProcessPool as exc:
        raise WorkerError(f"a worker process died ({exc})") from None

    def fail(error: InputError) -> None:
        summary.failed.append(error)
        bar.say(f"{error.name}: {error.reason} (skipped)")

    for item in chunk:
        if isinstance(item, _Doc):
            ok, payload = next(results)
            if ok:
                item.sink.write(payload)  # type: ignore[arg-type]
                item.sink.docs += 1
                summary.cleaned += 1
                summary.bytes_in += item.nbytes
            else:
                fail(InputError(item.name, payload))  # type: ignore[arg-type]
                if item.sink.whole:
                    item.sink.abort()
            bar.advance(item.nbytes, docs=1)
        elif isinstance(item, _Fail):
            fail(item.error)
            if item.sink is not None:
                item.sink.abort()
                summary.cleaned -= item.sink.docs
            bar.advance(item.nbytes)
        else:
            if item.sink is not None:
                try:
                    item.sink.commit()
                except OSError as exc:
                    fail(InputError(str(item.sink.target), f"cannot write ({exc.strerror or exc})"))
                    summary.cleaned -= item.sink.docs
            bar.advance(items=1)


# ---- batch statistics -----------------------------------------------------------------------------

def iter_texts(tasks: Sequence[Task], options: CleanOptions) -> Iterator[tuple[str, str]]:
    """(name, text) of every document the tasks hold; broken inputs and records are passed over
    (the cleaning pass reports them)."""
    for t in tasks:
        if t.error:
            continue
        if options.jsonl:
            try:
                for rec in iter_jsonl(t.source, options.text_field, options.id_field, options.encoding,
                                      options.max_bytes):
                    if not isinstance(rec, InputError):
                        yield f"{t.name}:{rec.line}", rec.text
            except InputError:
                continue
        else:
            try:
                yield t.name, decode(read_bytes(t.source, options.max_bytes), t.name, options.encoding)
            except InputError:
                continue


def _check_rereadable(tasks: Sequence[Task]) -> None:
    if any(t.source == "-" for t in tasks):
        raise UsageError("batch statistics read the inputs twice, and stdin (-) can be read only once; "
                         "save it to a file first")


def count_batch(tasks: Sequence[Task], options: CleanOptions, progress: bool = False,
                capacity: int = DEFAULT_CAPACITY) -> RepetitionCounter:
    """First pass of --batch-stats and discover: count the lines that repeat across the documents."""
    _check_rereadable(tasks)
    counter = RepetitionCounter(capacity)
    bar = _Progress(progress, sum(t.size for t in tasks), len(tasks), _stderr, desc="counting")
    try:
        for _, text in iter_texts(tasks, options):
            counter.add(text)
            bar.advance(len(text.encode("utf-8", "surrogatepass")), docs=1)
    finally:
        bar.close()
    return counter


@dataclass(frozen=True)
class Discovered:
    """A repeated line and the labels the model gave it in the documents it read."""

    line: RepeatedLine
    labels: dict[str, int]

    @property
    def label(self) -> str:
        """The label the model gave the line most often ("?" when it saw none)."""
        return max(sorted(self.labels), key=self.labels.__getitem__) if self.labels else "?"


def discover(tasks: Sequence[Task], options: CleanOptions, splitter: Splitter | None = None,
             top: int = 50, label_docs: int = 20, progress: bool = False) -> tuple[RepetitionCounter, list[Discovered]]:
    """The ``top`` lines repeated in at least ``options.min_docs`` documents, with the labels the
    model gives them (read from up to ``label_docs`` documents holding each line)."""
    from .segment import split_lines
    from .textnorm import template_key

    counter = count_batch(tasks, options, progress)
    lines = counter.lines(options.min_docs)[:top]
    wanted = {r.key: {} for r in lines}
    seen = {r.key: 0 for r in lines}
    splitter = splitter if splitter is not None else Splitter.load(options.model)
    batch: list[str] = []

    def tally() -> None:
        for text, spans in zip(batch, splitter.classify_many(batch)):
            for span in spans:
                key = template_key(text[span.start:span.end])
                if key in wanted:
                    wanted[key][span.label] = wanted[key].get(span.label, 0) + 1
        batch.clear()

    for _, text in iter_texts(tasks, options):
        if all(n >= label_docs for n in seen.values()):
            break
        keys = {template_key(line.text) for line in split_lines(text)}
        useful = [k for k in keys if k in seen and seen[k] < label_docs]
        if useful:
            for k in useful:
                seen[k] += 1
            batch.append(text)
            if len(batch) >= CHUNK_DOCS:
                tally()
    if batch:
        tally()
    return counter, [Discovered(r, wanted[r.key]) for r in lines]
