"""The projector beside the API: a thread of the server, or a child process of its own.

On PostgreSQL `bangfu serve` runs the projector in a child process: the views then use the
second core and their own interpreter lock, so that a payment is not kept waiting while the
views take the previous ones (on two cores this nearly doubles the rate of one client). The two
processes share three signals: *wake* (a write was committed), *hurry* (a reader waits for its
view) and *stop*. The child stops when the server does, when its parent disappears (a SIGKILL
leaves no orphan), and the server starts it again if it dies. On SQLite, and for an app built
around a ledger the tests hold, the projector is a thread of the server, as before.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from typing import Any, Literal

from api.observability.logs import configure_from
from bootstrap import App, bootstrap
from settings import Settings

log = logging.getLogger("bangfu.projections")

Mode = Literal["thread", "process", "none"]

RESTART_SECONDS = 2.0


def default_mode(settings: Settings) -> Mode:
    """A child process on PostgreSQL, a thread on the embedded store; none when another
    process (`bangfu project`) runs the views."""
    if not settings.project_in_process:
        return "none"
    return "process" if settings.database_url.startswith("postgres") else "thread"


class ProjectorRunner:
    """Starts and stops the views' projector for one app, in the way ``mode`` says."""

    def __init__(self, bangfu: App, mode: Mode) -> None:
        self.bangfu, self.mode = bangfu, mode
        self.stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._context = multiprocessing.get_context("spawn")
        self._child: Any = None  # multiprocessing's SpawnProcess
        self._child_stop: Any = None
        projector = bangfu.views.projector
        if mode == "process":  # both processes see the same signals
            projector.wake, projector.hurry = self._context.Event(), self._context.Event()
            self._child_stop = self._context.Event()
        else:
            projector.after_run.append(bangfu.checkpoint_schedule().tick)

    def start(self) -> None:
        projector = self.bangfu.views.projector
        if self.mode == "none":
            return
        self.bangfu.ledger.listeners.append(lambda position: projector.wake.set())
        if self.mode == "thread":
            self._thread = _thread(projector.run_forever, self.stop, "bangfu-projector")
        else:
            self._spawn()
            self._thread = _thread(self._watch, self.stop, "bangfu-projector-watch")

    def _spawn(self) -> None:
        projector = self.bangfu.views.projector
        self._child = self._context.Process(
            target=run_child,
            args=(
                self.bangfu.settings,
                projector.wake,
                projector.hurry,
                self._child_stop,
                os.getpid(),
                projector.batch_size,
            ),
            name="bangfu-projector",
            daemon=True,
        )
        self._child.start()

    def _watch(self, stop: threading.Event) -> None:
        """Start the child again if it dies while the server runs."""
        while not stop.wait(0.5):
            if self._child is not None and not self._child.is_alive():
                log.error(
                    "the projector process ended (exit code %s); starting it again in %g s",
                    self._child.exitcode,
                    RESTART_SECONDS,
                )
                if stop.wait(RESTART_SECONDS):
                    return
                self._spawn()

    @property
    def child_pid(self) -> int | None:
        """The projector's process, while one runs."""
        child = self._child
        return child.pid if child is not None and child.is_alive() else None

    def close(self) -> None:
        self.stop.set()
        projector = self.bangfu.views.projector
        if self._child_stop is not None:
            self._child_stop.set()
        projector.wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self._child is not None:
            self._child.join(timeout=30)
            if self._child.is_alive():
                self._child.terminate()
                self._child.join(timeout=10)


def _thread(target: Callable[[threading.Event], None], stop: threading.Event, name: str) -> Any:
    thread = threading.Thread(target=target, args=(stop,), name=name, daemon=True)
    thread.start()
    return thread


def run_child(
    settings: Settings, wake: Any, hurry: Any, stop: Any, parent: int, batch_size: int
) -> None:
    """The child process: the views of the same store, woken by the server's writes."""
    settings = settings.model_copy(update={"create_tables": False})
    configure_from(settings, "project")  # a spawned process starts with logging unset
    bangfu = bootstrap(settings)
    try:
        projector = bangfu.views.projector
        projector.batch_size = batch_size
        projector.wake, projector.hurry = wake, hurry
        projector.after_run.append(bangfu.checkpoint_schedule().tick)
        done = threading.Event()

        def orphaned(done: threading.Event) -> None:
            while not done.wait(0.5):
                if stop.is_set() or os.getppid() != parent:
                    done.set()
                    wake.set()

        _thread(orphaned, done, "bangfu-projector-parent")
        projector.run_forever(done)
    finally:
        bangfu.close()
