"""SIGTERM to deploy's daphne (`python -m backend.core.serve`) while submissions are in flight.

Plain daphne 4.2 cancels the application instances when Twisted stops: the clients see the connection
drop. backend.core.serve stops listening, lets the requests in hand finish, then stops.
"""

import http.client
import json
import signal
import threading

import pytest

from alerts.models import Observation
from tests.deploy.helpers import submission_send, town
from tests.live import SERVE, start_daphne

pytestmark = [pytest.mark.deploy, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def serve(tmp_path):
    """Starts deploy's daphne; whatever the test's outcome, none is left running."""
    started = []

    def start(extra_env=None):
        server = start_daphne(tmp_path, extra_env, command=SERVE, options=("--drain-timeout", "30"))
        started.append(server)
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()


IN_FLIGHT = 20


def test_sigterm_during_20_in_flight_submissions_answers_all_of_them_and_stores_all(serve):
    place = town(referents=4)
    server = serve({"PUSH_BACKEND": "locmem", "SMS_BACKEND": "locmem"})
    written = threading.Barrier(IN_FLIGHT + 1, timeout=30)
    answers: list[object] = [None] * IN_FLIGHT

    def submit(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        submission_send(connection, place, index)
        written.wait()  # every request is on the wire before the signal
        try:
            response = connection.getresponse()
            answers[index] = (response.status, json.loads(response.read()))
        except Exception as exc:  # the failure this test is about: a dropped connection
            answers[index] = exc

    # An idle keep-alive connection (as nginx keeps them): closed at the stop, so that nothing is sent on
    # it to a daphne on its way out.
    idle = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    idle.request("GET", "/livez")
    assert idle.getresponse().read() == b'{"status": "ok"}'
    assert idle.sock is not None
    idle_socket = idle.sock

    threads = [threading.Thread(target=submit, args=(index,)) for index in range(IN_FLIGHT)]
    for thread in threads:
        thread.start()
    written.wait()
    server.process.send_signal(signal.SIGTERM)
    idle_socket.settimeout(5)
    assert idle_socket.recv(1) == b""  # closed by the server while the submissions still run
    idle_closed_while_busy = any(thread.is_alive() for thread in threads)
    for thread in threads:
        thread.join(timeout=90)

    statuses = [answer[0] if isinstance(answer, tuple) else repr(answer) for answer in answers]
    assert statuses == [201] * IN_FLIGHT, server.log.read_text()[-3000:]
    references = {answer[1]["reference"] for answer in answers if isinstance(answer, tuple)}
    assert len(references) == IN_FLIGHT
    assert Observation.objects.filter(reference__in=references).count() == IN_FLIGHT
    assert server.process.wait(timeout=30) == 0
    log = server.log.read_text()
    assert "not listening any more" in log
    assert "drained in" in log
    assert "and 1 idle connections" in log
    assert idle_closed_while_busy
    # Stopped listening: a new connection is refused.
    with pytest.raises(ConnectionRefusedError):
        http.client.HTTPConnection("127.0.0.1", server.port, timeout=2).request("GET", "/livez")


def test_sigterm_closes_websockets_with_going_away(serve):
    import asyncio

    import aiohttp

    place = town(referents=1, moderators=1, operators=0)
    server = serve()
    moderator = place.moderators[0]

    async def scenario() -> tuple[int | None, str]:
        async with aiohttp.ClientSession() as session:
            url = f"{server.ws_url}/ws/console/?token={place.tokens[moderator.pk]}"
            async with session.ws_connect(url) as socket:
                hello = await socket.receive_json(timeout=10)
                server.process.send_signal(signal.SIGTERM)
                while True:  # presence and other events may come first
                    message = await socket.receive(timeout=10)
                    if message.type != aiohttp.WSMsgType.TEXT:
                        break
                return socket.close_code, hello["type"] if message.type == aiohttp.WSMsgType.CLOSE else ""

    close_code, hello = asyncio.run(scenario())
    assert hello == "hello"
    assert close_code == 1001
    assert server.process.wait(timeout=30) == 0


def test_a_connection_opened_before_sigterm_still_gets_its_answer(serve):
    """Accepted before the stop, request sent just after: answered (only idle keep-alive ones close)."""
    import socket
    import time

    server = serve()
    early = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    time.sleep(0.2)
    server.process.send_signal(signal.SIGTERM)
    time.sleep(0.1)
    early.sendall(b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = early.recv(4096)
    assert answer.startswith(b"HTTP/1.1 200 OK")
    assert b'{"status": "ok"}' in answer
    assert server.process.wait(timeout=30) == 0
