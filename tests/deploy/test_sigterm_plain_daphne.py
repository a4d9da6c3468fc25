"""SIGTERM to a plain `daphne backend.asgi:application` under load: it exits.

Plain daphne cancels its application instances on SIGTERM and stops its event loop; the interpreter then
waits for the request threads. A thread still serving a request went back to that stopped loop (the
middleware chain's hop to the view, or the publish after commit) and waited forever: the process never
exited (seen with py-spy after a wrk run); on PostgreSQL, the cancelled requests also kept their pooled
connections, and the others waited for one. Now Django's handler finishes despite the cancellation
(backend.core.middleware.FinishWhenCancelled), the reactor's stop waits for the busy threads and those
requests (hold_stop_while_busy), and alerts.events.publish never waits for a stopped loop
(tests/alerts/console/test_publish_shutdown.py is its deterministic test).
"""

import http.client
import signal
import subprocess
import threading

import pytest

from tests.deploy.helpers import submission_send, town
from tests.live import start_daphne

pytestmark = [pytest.mark.deploy, pytest.mark.usefixtures("transactional_db")]

CLIENTS = 24


def test_plain_daphne_exits_on_sigterm_while_submissions_commit(tmp_path):
    place = town(referents=4)
    # PYTHONFAULTHANDLER: on failure, SIGABRT makes it print where every thread waits.
    server = start_daphne(
        tmp_path, {"PUSH_BACKEND": "locmem", "SMS_BACKEND": "locmem", "PYTHONFAULTHANDLER": "1"}
    )
    answered = threading.Semaphore(0)
    stop = threading.Event()

    def submit(index: int) -> None:
        while not stop.is_set():
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            try:
                submission_send(connection, place, index)
                connection.getresponse().read()
                answered.release()
            except OSError:
                return  # the server is going away
            finally:
                connection.close()

    clients = [threading.Thread(target=submit, args=(index,), daemon=True) for index in range(CLIENTS)]
    try:
        for client in clients:
            client.start()
        for _ in range(3 * CLIENTS):  # under load: every client has been answered a few times
            assert answered.acquire(timeout=60), server.log.read_text()[-3000:]
        server.process.send_signal(signal.SIGTERM)
        stop.set()
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.send_signal(signal.SIGABRT)
            server.process.wait(timeout=10)
            pytest.fail("daphne is still running 30 s after SIGTERM:\n" + server.log.read_text()[-12000:])
    finally:
        stop.set()
        server.stop(signal.SIGKILL, timeout=5)
        for client in clients:
            client.join(timeout=15)
