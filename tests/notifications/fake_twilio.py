"""A local HTTP server that speaks the part of Twilio's Messages API PeerPath uses.

``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` (form-encoded: To, From or
MessagingServiceSid, Body, StatusCallback) answers 201 with the message resource; ``GET`` on the
same path lists messages (To, DateSent>). Requests must carry HTTP basic authentication with
the account SID and auth token, as Twilio requires (401 otherwise, with Twilio's error body).
``fail_next`` queues answers to give before succeeding: (status, code, message)."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    authorization: str


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[tuple[int, int, str]] = field(default_factory=list)

    def sent(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST"]


def _handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
    messages_path = f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, code: int, message: str) -> None:
            self._answer(
                status,
                {
                    "code": code,
                    "message": message,
                    "more_info": f"https://www.twilio.com/docs/errors/{code}",
                    "status": status,
                },
            )

        def _record(self, form: dict[str, list[str]]) -> Recorded | None:
            parts = urlsplit(self.path)
            row = Recorded(self.command, parts.path, parse_qs(parts.query), form, self.headers.get("Authorization", ""))
            fake.requests.append(row)
            if row.authorization != expected:
                self._error(401, 20003, "Authenticate")
                return None
            if parts.path != messages_path:
                self._error(404, 20404, "The requested resource was not found")
                return None
            if fake.fail_next:
                self._error(*fake.fail_next.pop(0))
                return None
            return row

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            if self._record(form) is None:
                return
            to = form.get("To", [""])[0]
            if not to.startswith("+"):
                self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
                return
            message = {
                "sid": f"SM{uuid.uuid4().hex}",
                "account_sid": fake.account_sid,
                "to": to,
                "from": form.get("From", [None])[0],
                "messaging_service_sid": form.get("MessagingServiceSid", [None])[0],
                "body": form.get("Body", [""])[0],
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "date_created": "Mon, 07 Dec 2026 19:00:00 +0000",
                "date_sent": None,
                "uri": f"{messages_path[:-5]}/x.json",
            }
            fake.messages.append(message)
            self._answer(201, message)

        def do_GET(self) -> None:
            row = self._record({})
            if row is None:
                return
            to = row.query.get("To", [""])[0]
            found = [m for m in fake.messages if not to or m["to"] == to]
            self._answer(
                200,
                {
                    "messages": found,
                    "next_page_uri": None,
                    "page": 0,
                    "page_size": 50,
                    "uri": self.path,
                    "first_page_uri": self.path,
                    "previous_page_uri": None,
                    "start": 0,
                    "end": len(found),
                },
            )

    return Handler


@contextmanager
def running(account_sid: str = "AC" + "0" * 32, auth_token: str = "test-token") -> Iterator[FakeTwilio]:
    fake = FakeTwilio(account_sid, auth_token)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
