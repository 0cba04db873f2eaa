"""A long projection pass shared by worker processes.

Every read model pacflow keeps is per stream, so the log window of a long catch-up or
rebuild is dealt out stream by stream: processes holding different streams never write
the same rows, and each takes a stream's events in order. The streams are cut into
portions of whole streams, the longest first, and each process (this one, and workers
started with `python -m projections.workers`, which build the same engine from the
engine's recipe) takes the next portion as it finishes one, applying and committing its
windows as a pass alone does. Dealt out in advance, shares of as many events each ended
seconds apart: a long stream costs more per event than a short one, and a process slowed
by its neighbours on the machine kept its whole share. The checkpoints move once every
portion is done, in one last transaction: a pass stopped before that (a crash, a worker
killed) is done again from the old checkpoints, which projectors allow (they write
idempotently).

On SQLite the processes take turns for the write lock, but only while a window's rows are
written: reading and folding, most of the work, run side by side.

A worker gets its job, then each portion it asks for, on its standard input, and sends
its reports on its standard output, pickled: both ends are this package, and the job
holds the database URL, password included, which must never be on a command line. A
worker that fails reports its error, which is raised here as it was raised there; the
other workers are stopped.
"""

from __future__ import annotations

import collections
import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar

from pacflow.errors import StoreError
from projections import engine as engines
from projections.engine import Progress, Running, windows_of
from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:
    from projections.engine import ProjectionEngine

Span = tuple[str, int, int]
"""A stream and the first and last of its versions in the pass."""


class WorkerError(StoreError):
    """A worker stopped without saying why, or with an error that could not travel (one
    line for the user, exit code 3, as any store that cannot be worked with)."""

    default_code: ClassVar[str] = "projection-worker-stopped"


@frozen_record
class Job(FrozenValue):
    """What a worker is asked to do."""

    recipe: Callable[[], ProjectionEngine]
    starts: tuple[tuple[str, int], ...]
    """Each running projector's name and checkpoint."""
    window: int
    """Events per write transaction."""


def portions(spans: Sequence[Span], size: int) -> list[list[Span]]:
    """The streams in portions taken one at a time by the processes of a pass: whole
    streams, the longest first (taken last, a long stream would leave its process working
    alone at the end), as many as make at least `size` events (a window) to a portion."""
    dealt: list[list[Span]] = []
    portion: list[Span] = []
    events = 0
    for span in sorted(spans, key=lambda span: span[2] - span[1], reverse=True):
        portion.append(span)
        events += span[2] - span[1] + 1
        if events >= size:
            dealt.append(portion)
            portion, events = [], 0
    if portion:
        dealt.append(portion)
    return dealt


def run_shared(
    engine: ProjectionEngine,
    recipe: Callable[[], ProjectionEngine],
    running: Sequence[Running],
    spans: Sequence[Span],
    count: int,
    low: int,
    head: int,
    progress: Progress | None,
) -> list[float]:
    """Apply the pass's `spans` in this process and `count - 1` workers, then move the
    checkpoints to `head`. Returns each worker's peak memory (MB)."""
    window = engines.COMMIT_EVERY
    pending = collections.deque(portions(spans, window))  # taken from by every process
    starts = tuple((run.projector.name, run.start) for run in running)
    reports: queue.Queue[tuple[_Worker, tuple[Any, ...]]] = queue.Queue()
    workers: list[_Worker] = []
    waiting: set[_Worker] = set()
    peaks: list[float] = []
    done = 0

    def tell(reached: int) -> None:
        if progress is not None:
            for run in running:
                progress(run.projector.name, max(run.start, reached), head)

    def take(block: bool) -> None:
        nonlocal done
        while waiting:
            try:
                worker, report = reports.get(block=block)
            except queue.Empty:
                return
            kind = report[0]
            if worker not in waiting:  # the end of the output of a worker that is done
                continue
            if kind == "window":
                done += report[1]
            elif kind == "done":
                for run, applied in zip(running, report[1], strict=True):
                    run.applied += applied
                peaks.append(report[2])
                waiting.discard(worker)
            elif kind == "failed":
                raise report[1]
            else:  # its output ended without a word: it died
                raise WorkerError(worker.last_words())
            if block:
                tell(min(low + done, head))

    # This process takes the first portion (the longest stream): its plans' cache is bounded
    # in entities, so holding that stream it keeps few others, where a worker holding it
    # beside this process's full cache made the pass need 14 MB more in all.
    portion = _next_of(pending)
    try:
        for _ in range(count - 1):
            workers.append(_Worker(Job(recipe, starts, window), reports, pending))
        waiting.update(workers)
        while portion is not None:
            for events in windows_of(portion, window):
                done += engine.apply_window(running, events)
                take(block=False)
                tell(min(low + done, head))
            portion = _next_of(pending)
        take(block=True)
        engine.advance(running, head)
    finally:
        for worker in workers:
            worker.stop()
    tell(head)
    return peaks


def _next_of(pending: collections.deque[list[Span]]) -> list[Span] | None:
    """The next portion to take (None: all are taken); any thread may ask."""
    try:
        return pending.popleft()
    except IndexError:
        return None


class _Worker:
    """A worker process, and a thread that passes on what it reports and gives it the next
    portion when it asks."""

    def __init__(
        self,
        job: Job,
        reports: queue.Queue[tuple[_Worker, tuple[Any, ...]]],
        pending: collections.deque[list[Span]],
    ) -> None:
        self._errors: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "projections.workers"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            env=_environment(),
        )
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        self._pending = pending
        try:
            self._give(job)
            # Its first portion now, read once it has started: taken before this process
            # takes its second, so that every worker started has work, however short the pass.
            self._give(_next_of(pending))
        except BaseException:
            self._process.kill()
            self._process.wait()
            self._process.stdout.close()
            self._process.stdin.close()
            self._errors.close()
            raise
        self._reader = threading.Thread(
            target=self._pass_on, args=(self._process.stdout, reports), daemon=True
        )
        self._reader.start()

    def _give(self, what: Any) -> None:
        """Send the worker its job or its next portion (None: there is none left)."""
        assert self._process.stdin is not None
        try:
            pickle.dump(what, self._process.stdin)
            self._process.stdin.flush()
            if what is None:
                self._process.stdin.close()
        except (BrokenPipeError, ValueError):
            pass  # it stopped (or was stopped): its output ends, which says so

    def _pass_on(
        self, output: IO[bytes], reports: queue.Queue[tuple[_Worker, tuple[Any, ...]]]
    ) -> None:
        while True:
            try:
                report = pickle.load(output)
            except EOFError:
                reports.put((self, ("ended",)))
                return
            except Exception as error:  # cut short, or naming what this process lacks
                unread = WorkerError(f"a projection worker's report cannot be read: {error}")
                reports.put((self, ("failed", unread)))
                return
            if report[0] == "next":
                self._give(_next_of(self._pending))
            else:
                reports.put((self, report))

    def last_words(self) -> str:
        """Why the worker stopped, as far as can be told: its exit code and last line."""
        code = self._process.wait()
        self._errors.seek(0)
        lines = self._errors.read().decode("utf-8", "replace").strip().splitlines()
        # The error itself, rather than the traceback's or a fatal error report's last line.
        errors = [line for line in lines if "Error:" in line and not line[:1].isspace()]
        found = errors[-1] if errors else lines[-1].strip() if lines else ""
        said = f": {found}" if found else ""
        return (
            f"a projection worker stopped (exit code {code}){said}; "
            "PACFLOW_PROJECTION_WORKERS=1 builds the read models in one process"
        )

    def stop(self) -> None:
        """End the worker (killed if still running) and close what it was given."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._reader.join()
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                pipe.close()
        self._errors.close()


def _environment() -> dict[str, str]:
    """The worker's environment: this one, with the folder holding `projections` first on
    its import path (a worker must run the same code, installed or not)."""
    here = str(Path(__file__).resolve().parent.parent)
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": here if not path else os.pathsep.join([here, path])}


def _portable(error: BaseException) -> BaseException:
    """`error` if it survives pickling, else a WorkerError saying what it was."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return WorkerError(f"{type(error).__name__}: {error}")
    return error


def peak_rss_mb() -> float:
    """This process's peak RSS (MB). VmHWM where there is one: on Linux, ru_maxrss of a
    process started by fork and exec counts what its parent held when it forked."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def main() -> None:
    """A worker: read the job and a first portion, apply its windows, reporting each one,
    then ask for the next, until there is none left; then report the total."""
    reports = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever else is printed goes with the errors, not into the reports

    def send(report: tuple[Any, ...]) -> None:
        pickle.dump(report, reports)
        reports.flush()

    given = sys.stdin.buffer
    job: Job = pickle.load(given)
    try:
        engine = job.recipe()
        running = [Running(engine.projector(name), start) for name, start in job.starts]
        portion: list[Span] | None = pickle.load(given)
        while portion is not None:
            for events in windows_of(portion, job.window):
                send(("window", engine.apply_window(running, events)))
            send(("next",))
            portion = pickle.load(given)
        send(("done", [run.applied for run in running], peak_rss_mb()))
    except BaseException as error:
        send(("failed", _portable(error)))
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
