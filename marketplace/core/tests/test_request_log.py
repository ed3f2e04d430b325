"""Structured request log: one JSON line per request with its id, also sent back as X-Request-ID."""

from __future__ import annotations

import io
import json
import logging
import uuid

import pytest

from marketplace.core.logging import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_log():
    """The lines the request logger writes, formatted as in production (JSON)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("marketplace.requests")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_a_request_writes_one_json_line_with_its_id_and_timing(client, request_log):
    response = client.get("/healthz?probe=1")

    [line] = request_log()
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    assert line["logger"] == "marketplace.requests"
    assert line["user_id"] is None


def test_the_log_line_names_the_signed_in_user(client, request_log, user):
    client.force_login(user)

    client.get("/accounts/profile/")

    assert request_log()[-1]["user_id"] == user.pk


def test_each_request_gets_its_own_id(client, request_log):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert first != second
    assert [line["request_id"] for line in request_log()] == [first, second]


@pytest.mark.parametrize("incoming", ["b7c3e0f2a9d14e6f8c1a2b3c4d5e6f70", "edge-proxy.42-abc_DEF"])
def test_a_valid_incoming_request_id_is_kept(client, request_log, incoming):
    response = client.get("/healthz", headers={"x-request-id": incoming})

    assert response["X-Request-ID"] == incoming
    assert request_log()[0]["request_id"] == incoming


@pytest.mark.parametrize(
    "incoming",
    [
        "short",
        "x" * 65,
        "abc def ghi jkl",
        "id\nforged-log-line",
        "abcdefgh12\n",
        '"}{"status": 200',
        "идентификатор-запроса",
    ],
)
def test_an_invalid_incoming_request_id_is_replaced(client, request_log, incoming):
    response = client.get("/healthz", headers={"x-request-id": incoming})

    assert response["X-Request-ID"] != incoming
    uuid.UUID(hex=response["X-Request-ID"])
    assert request_log()[0]["request_id"] == response["X-Request-ID"]


def test_log_lines_written_while_handling_a_request_carry_its_id(client, request_log):
    seen = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(getattr(record, "request_id", None))

    capture = Capture()
    capture.addFilter(RequestIdFilter())
    logging.getLogger("marketplace.requests").addHandler(capture)
    try:
        response = client.get("/healthz")
    finally:
        logging.getLogger("marketplace.requests").removeHandler(capture)

    assert seen == [response["X-Request-ID"]]


def test_outside_a_request_the_id_is_a_dash():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    RequestIdFilter().filter(record)

    line = json.loads(JsonFormatter().format(record))

    assert (line["request_id"], line["msg"]) == ("-", "hello world")
