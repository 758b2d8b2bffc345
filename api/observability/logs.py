"""Structured logs: structlog over the standard library, so that every logger writes one kind
of line.

``configure`` sends both structlog's loggers and the standard library's
(``logging.getLogger("bangfu.projections")``, uvicorn's) through one formatter: JSON lines
(orjson) when stderr is not a terminal or ``BANGFU_LOG_FORMAT=json``, readable lines in a
terminal or with ``BANGFU_LOG_FORMAT=console``. Fields passed as ``extra={...}`` to a standard
logger become fields of the line.

``BANGFU_LOG_LEVEL`` sets the level. Unset, the long-running commands (``serve``, ``project``)
log at INFO (a line per request, per projection batch), the one-shot commands at WARNING, and
the line per command (its name, exit status and duration) is left out, so that a person at a
terminal, and a script reading stderr, sees only a command's own messages (one red line for an
error). Set ``BANGFU_LOG_LEVEL=INFO`` (cron, compose jobs) to get that line from every command.

No personal data: callers log ids, counts and route templates, never names, ID numbers,
bodies, query strings or tokens.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import orjson
import structlog
from structlog.types import EventDict, Processor, WrappedLogger

from settings import Settings

FORMATS = ("auto", "json", "console")
SERVICE_COMMANDS = frozenset({"serve", "project"})  # INFO by default: they run for days
HANDLER_NAME = "bangfu"
COMMANDS_LOGGER = "bangfu.cli"  # the line per command
URL_LOGGERS = ("httpx", "httpcore", "uvicorn.access")

_STAMPED: list[Processor] = [
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


class LogSettingsError(ValueError):
    """BANGFU_LOG_FORMAT or BANGFU_LOG_LEVEL holds a value Bangfu does not know."""


def _drop_copies(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """Drop what repeats the message: uvicorn's coloured copy, a formatter's ``message``."""
    event.pop("color_message", None)
    event.pop("message", None)
    return event


def _json(value: Any, **_: Any) -> str:
    return orjson.dumps(value, default=str).decode()


def level_of(name: str | None, command: str | None = None) -> int:
    """The level a setting names (DEBUG, info, ...), or the default for ``command``."""
    if not name:
        return logging.INFO if command is None or command in SERVICE_COMMANDS else logging.WARNING
    level = logging.getLevelNamesMapping().get(name.strip().upper())
    if level is None:
        raise LogSettingsError(
            f"BANGFU_LOG_LEVEL={name!r} is not a level; use DEBUG, INFO, WARNING or ERROR"
        )
    return level


def renderer(log_format: str, stream: TextIO) -> list[Processor]:
    """The last processors of a line: JSON, or colourless/coloured console text."""
    chosen = log_format.strip().lower()
    if chosen not in FORMATS:
        raise LogSettingsError(
            f"BANGFU_LOG_FORMAT={log_format!r} is not a format; use auto, json or console"
        )
    terminal = stream.isatty()
    if chosen == "console" or (chosen == "auto" and terminal):
        return [structlog.dev.ConsoleRenderer(colors=terminal)]
    return [structlog.processors.format_exc_info, structlog.processors.JSONRenderer(_json)]


# structlog's own loggers hand their events to the standard library, whose handler (set by
# ``configure``) renders them; done on import, so that a structlog logger used before
# ``configure`` (a test's app, say) never prints on its own.
structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.filter_by_level,
        *_STAMPED,
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A structlog logger whose lines go through the standard library's ``name`` logger."""
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger


def configure(
    log_format: str = "auto", level: int = logging.INFO, stream: TextIO | None = None
) -> logging.Handler:
    """Route structlog and the standard library's logging to one handler on ``stream`` (stderr
    by default), replacing the handler an earlier call installed; returns the handler."""
    stream = stream if stream is not None else sys.stderr
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_STAMPED, structlog.stdlib.ExtraAdder(), _drop_copies],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *renderer(log_format, stream),
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for chatty in URL_LOGGERS:  # they log whole URLs, which may hold personal data
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))
    return handler


def configure_from(settings: Settings, command: str | None = None) -> logging.Handler:
    """``configure`` as the settings say, for ``command`` (see the module's notes on levels)."""
    handler = configure(settings.log_format, level_of(settings.log_level, command))
    quiet = logging.NOTSET if settings.log_level else logging.WARNING
    logging.getLogger(COMMANDS_LOGGER).setLevel(quiet)
    return handler


def exit_status(error: BaseException | None) -> int:
    """The exit status a command ends with when ``error`` (None: none) leaves it."""
    if error is None:
        return 0
    if isinstance(error, SystemExit):
        return error.code if isinstance(error.code, int) else int(error.code is not None)
    if isinstance(error, KeyboardInterrupt):
        return 130
    code = getattr(error, "exit_code", 1)  # typer.Exit, usage errors (2), ...
    return code if isinstance(code, int) else 1


@contextmanager
def command_logged(command: str) -> Iterator[None]:
    """Log one line when the command ends: its name (never its arguments), exit status and
    duration."""
    started, error = time.perf_counter(), None
    try:
        yield
    except BaseException as raised:
        error = raised
        raise
    finally:
        get_logger(COMMANDS_LOGGER).info(
            "command",
            command=command,
            exit_status=exit_status(error),
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
