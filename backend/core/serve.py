"""daphne with a graceful stop: `python -m backend.core.serve [daphne's options] backend.asgi:application`.

Plain daphne 4.2 lets Twisted handle SIGTERM: the reactor stops at once and, before it exits, daphne
cancels every application instance still running, so a request in flight is cut (the client sees the
connection drop; whether its row was written is anyone's guess). Here, on SIGTERM or SIGINT:

1. connections already waiting in the listen backlog are accepted, then the ports stop listening (nginx
   sends new requests to the other daphne);
2. websockets are closed with code 1001 "going away" (consoles reconnect elsewhere and replay what they
   missed from the event log); idle keep-alive connections are closed, and the busy ones close after
   their answer (nginx opens new ones, which go to the other daphne);
3. HTTP requests in flight, and the application instances of closed websockets, are given up to
   `--drain-timeout` seconds (default 30) to finish; then the reactor stops as daphne would.

A second signal stops at once. Every daphne option works as with the `daphne` command.
"""

# daphne.server installs Twisted's asyncio reactor on import: it must come before twisted.internet.
import daphne.server  # isort:skip
import logging
import signal
import sys
import time
import weakref
from functools import partial
from types import FrameType
from typing import Any

from daphne.cli import CommandLineInterface
from daphne.http_protocol import WebRequest
from daphne.ws_protocol import WebSocketProtocol
from twisted.internet import reactor as _twisted_reactor

logger = logging.getLogger("vigie.serve")
# Twisted types its reactor through zope interfaces that mypy reads badly.
reactor: Any = _twisted_reactor

GOING_AWAY = 1001
CHECK_EVERY_SECONDS = 0.05
# Connections accepted just before the stop may not have sent their request line yet.
MIN_DRAIN_SECONDS = 0.5


class GracefulServer(daphne.server.Server):
    def __init__(self, *args: Any, drain_timeout: float = 30.0, **kwargs: Any) -> None:
        kwargs["signal_handlers"] = False
        super().__init__(*args, **kwargs)
        self.drain_timeout = drain_timeout
        self.ports: list[Any] = []
        self.draining = False
        self.drain_started = 0.0
        self.channels: weakref.WeakSet[Any] = weakref.WeakSet()
        # Connections that have answered a request: only those can be idle keep-alive ones. A connection
        # just accepted (from the backlog, say) has a request coming and is left alone.
        self.served: weakref.WeakSet[Any] = weakref.WeakSet()

    def listen_success(self, port: Any) -> None:
        if not self.ports:
            self._track_channels()
        self.ports.append(port)
        super().listen_success(port)

    def _track_channels(self) -> None:
        """Remembers every HTTP connection (Twisted keeps no list), to close the idle ones on a stop."""
        build = self.http_factory.buildProtocol

        def build_and_track(addr: Any) -> Any:
            channel = build(addr)
            if channel is not None:
                self.channels.add(channel)
            return channel

        self.http_factory.buildProtocol = build_and_track

    def protocol_connected(self, protocol: Any) -> None:
        channel = getattr(protocol, "channel", None)
        if isinstance(protocol, WebRequest) and channel is not None:
            self.served.add(channel)
        super().protocol_connected(protocol)

    def _close_keep_alive_connections(self) -> int:
        closed = 0
        for wrapper in list(self.channels):
            # Twisted's factory hands out a wrapper (it could switch to HTTP/2); the HTTP/1.1 channel is in it.
            channel = getattr(wrapper, "_channel", wrapper)
            transport = getattr(channel, "transport", None)
            # A connection upgraded to a websocket belongs to its websocket protocol now.
            if transport is None or getattr(transport, "protocol", None) not in (wrapper, channel):
                continue
            if getattr(channel, "requests", None):
                # Busy: closes after its answer. (Never on a connection without a request in flight:
                # Twisted would then drop the request that comes next.)
                channel.persistent = False
            elif channel in self.served:
                transport.loseConnection()
                closed += 1
        return closed

    def run(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        super().run()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        reactor.callFromThread(self._drain_or_stop, signum)

    def _drain_or_stop(self, signum: int) -> None:
        # Twisted's log goes nowhere at daphne's default verbosity: an error here would go unseen and
        # leave a server that ignores SIGTERM. Stop plainly instead.
        try:
            self.drain(signum)
        except Exception:
            logger.exception("graceful stop failed: stopping now")
            self.stop()

    def busy(self) -> list[Any]:
        """HTTP requests not answered yet, and application instances still running."""
        busy = []
        for protocol, details in list(self.connections.items()):
            application = details.get("application_instance")
            answering = isinstance(protocol, WebRequest) and "disconnected" not in details
            running = application is not None and not application.done()
            if answering or running:
                busy.append(protocol)
        return busy

    def drain(self, signum: int) -> None:
        if self.draining:
            logger.warning("second signal %s: stopping now", signum)
            self.stop()
            return
        self.draining = True
        self.drain_started = time.monotonic()
        for port in self.ports:
            accept_backlog = getattr(port, "doRead", None)
            if accept_backlog is not None:
                try:
                    accept_backlog()
                except Exception:  # best effort: what stays in the backlog is refused, nginx retries
                    logger.exception("could not accept the backlog of %s", port)
            port.stopListening()
        idle = self._close_keep_alive_connections()
        sockets = [p for p in self.connections if isinstance(p, WebSocketProtocol)]
        for protocol in sockets:
            try:
                # autobahn's sendClose() refuses 1001 (applications may use 1000 and 3000-4999 only);
                # the frame itself is what a server going down sends.
                protocol.sendCloseFrame(code=GOING_AWAY, reasonUtf8=b"server restarting")
            except Exception:  # a socket already closing must not stop the drain
                logger.exception("could not close websocket %s", protocol)
        logger.info(
            "signal %s: not listening any more; closed %d websockets and %d idle connections; "
            "finishing %d requests (at most %ss)",
            signum,
            len(sockets),
            idle,
            len(self.busy()),
            self.drain_timeout,
            extra={"signal": signum, "websockets": len(sockets)},
        )
        reactor.callLater(CHECK_EVERY_SECONDS, self._wait)

    def _wait(self) -> None:
        elapsed = time.monotonic() - self.drain_started
        busy = self.busy()
        if busy and elapsed < self.drain_timeout:
            reactor.callLater(CHECK_EVERY_SECONDS, self._wait)
            return
        if not busy and elapsed < MIN_DRAIN_SECONDS:
            reactor.callLater(CHECK_EVERY_SECONDS, self._wait)
            return
        if busy:
            logger.warning("drain timeout: %d requests still running are cut", len(busy))
        else:
            logger.info("drained in %.2fs: stopping", elapsed)
        self.stop()


class GracefulCommandLineInterface(CommandLineInterface):
    def __init__(self) -> None:
        super().__init__()
        self.parser.add_argument(
            "--drain-timeout",
            type=float,
            default=30.0,
            help="Seconds given to requests in flight after SIGTERM before the server stops (default 30).",
        )

    def run(self, args: list[str]) -> None:
        options, _ = self.parser.parse_known_args(args)
        self.server_class = partial(GracefulServer, drain_timeout=options.drain_timeout)
        super().run(args)


def main(argv: list[str] | None = None) -> None:
    GracefulCommandLineInterface().run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
