"""Article bodies parsed within bounds: in bytes, in time, and stopped on cancellation.

markdown-it is pure Python and slow on some inputs: 1 MiB of `![` takes about 25 s of CPU
(4.8 MB took 87 s), and a thread cannot be stopped. So:

* a body over `MAX_BODY_BYTES` (UTF-8) is not parsed at all: a `too_large` problem for the
  file; its front matter links are still checked;
* a body of at most `INLINE_BODY_BYTES` is parsed in the reading thread (its worst case, some
  tenths of a second, is the longest a stop request waits);
* a larger body is parsed in one worker process (started on the first such body, kept for the
  run). A parse that takes longer than `PARSE_BUDGET_S` is abandoned: the worker is killed (a
  new one serves the next body) and the file gets a `too_large` problem saying so. While it
  waits, the reading thread asks `stop()` every `POLL_S`: a cancelled run (a signal,
  `--max-time`) abandons the parse at once.

Where no worker process can be started, bodies are parsed in the thread, without a time bound.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

from linkcheck.collect.extract import BodyLink, body_links
from linkcheck.models import Article, ArticleProblem, ProblemReason

__all__ = [
    "INLINE_BODY_BYTES",
    "MAX_BODY_BYTES",
    "PARSE_BUDGET_S",
    "BodyParser",
]

MAX_BODY_BYTES = 2 * 1024 * 1024
INLINE_BODY_BYTES = 16 * 1024
PARSE_BUDGET_S = 5.0
POLL_S = 0.05
_START_S = 60.0  # the most a worker may take to start (imports on a loaded machine)

Stop = Callable[[], bool]
#: The body's links (None: not parsed), and the problem to report for the file, if any.
BodyResult = tuple[list[BodyLink] | None, ArticleProblem | None]


def _utf8_size(text: str) -> int:
    if len(text) > MAX_BODY_BYTES or len(text) * 4 <= MAX_BODY_BYTES:
        return len(text)  # decided without encoding: over either way, or under either way
    return len(text.encode("utf-8", "surrogatepass"))


class BodyParser:
    """Finds the links of article bodies within the bounds above. Close it when done."""

    def __init__(self, *, budget: float | None = None, inline: int | None = None) -> None:
        self.budget = PARSE_BUDGET_S if budget is None else budget  # module values: read now
        self.inline = INLINE_BODY_BYTES if inline is None else inline
        self._worker: _Worker | None = None
        self._no_worker = False  # starting one failed: parse in the thread from now on

    def links(self, article: Article, stop: Stop) -> BodyResult:
        body = article.body
        size = _utf8_size(body)
        if size > MAX_BODY_BYTES:
            detail = (
                f"body not parsed: it is larger than the {MAX_BODY_BYTES}-byte limit "
                f"({size} bytes or more); its links are not checked"
            )
            return None, _problem(article, detail)
        if size <= self.inline or self._no_worker or not body.strip():
            return body_links(body, article.body_line), None
        return self._in_worker(article, stop)

    def _in_worker(self, article: Article, stop: Stop) -> BodyResult:
        worker = self._worker
        if worker is None:
            try:
                worker = self._worker = _Worker()
            except (OSError, ValueError, subprocess.SubprocessError):  # none here: in the thread
                self._no_worker = True
                return body_links(article.body, article.body_line), None
        answer = worker.ask(article.body, article.body_line, self.budget, stop)
        if isinstance(answer, list):
            return answer, None
        self._drop()
        if answer == "stopped":
            return None, None  # the run is ending: the caller sees stop() too
        if answer == "failed":  # the worker died or would not start: parse in the thread
            self._no_worker = True
            return body_links(article.body, article.body_line), None
        detail = (
            f"body not parsed: parsing it took longer than {self.budget:g} s, so it was "
            "abandoned (a pathological Markdown or HTML body?); its links are not checked"
        )
        return None, _problem(article, detail)

    def _drop(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker = None

    def close(self) -> None:
        self._drop()

    def __enter__(self) -> BodyParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _problem(article: Article, detail: str) -> ArticleProblem:
    return ArticleProblem(
        article.path, ProblemReason.TOO_LARGE, detail, "body", line=article.body_line
    )


class _Worker:
    """One child interpreter that parses bodies sent over a pipe, killed when abandoned.

    A plain `python -c` child, not multiprocessing's spawn: that would run the parent's
    `__main__` script again in the child (a library user's unguarded script, say)."""

    def __init__(self) -> None:
        if not sys.executable:  # an embedded interpreter: no python to start
            raise OSError("no Python executable to start a parse worker")
        down_r, down_w = os.pipe()  # parent -> child
        up_r, up_w = os.pipe()  # child -> parent
        code = f"from linkcheck.collect.bodies import _serve; _serve({down_r}, {up_w})"
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", code],
                pass_fds=(down_r, up_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,  # a worker that fails is replaced by the thread
                env=env,
                start_new_session=True,  # signals to the terminal's group are the parent's
            )
        except BaseException:
            os.close(down_w)
            os.close(up_r)
            raise
        finally:
            os.close(down_r)
            os.close(up_w)
        self.send_conn = Connection(down_w, readable=False)
        self.conn = Connection(up_r, writable=False)
        self.ready = False

    def ask(self, body: str, first_line: int, budget: float, stop: Stop) -> list[BodyLink] | str:
        """The links, or why there are none: "stopped", "timeout", "failed"."""
        try:
            if not self.ready:
                if self._wait(time.monotonic() + _START_S, stop) != "ok":
                    return "stopped" if stop() else "failed"
                self.conn.recv()  # the worker's "ready": its imports are done
                self.ready = True
            self.send_conn.send((body, first_line))
            why = self._wait(time.monotonic() + budget, stop)
            if why != "ok":
                return why
            links: list[BodyLink] = self.conn.recv()
            return links
        except (OSError, EOFError):
            return "failed"

    def _wait(self, deadline: float, stop: Stop) -> str:
        while not self.conn.poll(POLL_S):
            if stop():
                return "stopped"
            if self.proc.poll() is not None:
                return "failed"
            if time.monotonic() > deadline:
                return "timeout"
        return "ok"

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(2.0)
        self.send_conn.close()
        self.conn.close()


def _serve(down: int, up: int) -> None:  # pragma: no cover - runs in the worker process
    """The worker's loop: (body, first line) in, its links out, until the pipe closes."""
    receive, answer = Connection(down, writable=False), Connection(up, readable=False)
    answer.send("ready")
    while True:
        try:
            body, first_line = receive.recv()
            answer.send(body_links(body, first_line))
        except (EOFError, OSError):  # the parent is gone (or gave up on this worker)
            return
