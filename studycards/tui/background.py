"""Slow work (importing torch, computing a torch line) on daemon threads, results delivered on the UI loop.

Textual's thread workers run on asyncio's default executor, which the interpreter waits for at exit: a
learner pressing ctrl+q while torch is still importing would wait seconds for a window that is already
gone. A daemon thread is simply abandoned at exit; nothing it does writes to the store, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any


class Background:
    """Runs functions on daemon threads; ``on_done(result, error)`` is called on the event loop."""

    def __init__(self) -> None:
        self._pending: set[asyncio.Future[Any]] = set()

    def run(self, name: str, work: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None]) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.add(future)

        def settle(result: Any, error: BaseException | None) -> None:
            self._pending.discard(future)
            if not future.done():
                future.set_result(None)
            on_done(result, error)

        def target() -> None:
            try:
                result, error = work(), None
            except Exception as exception:  # reported to on_done, which shows it
                result, error = None, exception
            # RuntimeError: the app has closed its loop, so nobody is waiting any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(settle, result, error)

        threading.Thread(target=target, name=name, daemon=True).start()

    async def wait(self) -> None:
        """Until everything started so far has finished (tests await this before looking at the screen)."""
        while self._pending:
            await asyncio.gather(*list(self._pending))
