"""Bytes on the wire: a loopback TCP relay in front of the app that counts what the server sends.

The DevTools protocol reports a websocket frame's payload after ``permessage-deflate`` has been undone,
so it cannot say what the network carried. The benchmarks point Chromium at this relay instead of the
server; its counter of server → browser bytes (TCP payload: HTTP, websocket framing and compressed
messages) read before and after a click is what that click cost the reader's connection.
"""
from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from urllib.parse import urlsplit, urlunsplit

CHUNK = 65536


class CountingProxy:
    """Relay ``127.0.0.1:<free port>`` → the server at ``target_url``; :attr:`down` counts server → browser bytes."""

    def __init__(self, target_url: str) -> None:
        parts = urlsplit(target_url)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._parts = parts
        self.down = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="counting-proxy", daemon=True)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    @property
    def url(self) -> str:
        """``target_url`` with the relay's port."""
        return urlunsplit(self._parts._replace(netloc=f"127.0.0.1:{self.port}"))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, downstream: bool) -> None:
        try:
            while chunk := await reader.read(CHUNK):
                if downstream:
                    self.down += len(chunk)
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            return
        with contextlib.suppress(asyncio.CancelledError):  # the relay is stopping
            await asyncio.gather(self._pipe(reader, up_writer, False), self._pipe(up_reader, writer, True),
                                 return_exceptions=True)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", self.port)

    def __enter__(self) -> CountingProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            if self._server is not None:
                self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

