"""Local receivers for crisis alerts: a minimal SMTP server and an HTTP endpoint on 127.0.0.1."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class SmtpReceiver(socketserver.ThreadingTCPServer):
    """Just enough SMTP on 127.0.0.1 to accept one message at a time and keep it."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.mails: list[str] = []
        self.received = threading.Event()


class _SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        server: SmtpReceiver = self.server  # type: ignore[assignment]
        self.wfile.write(b"220 localhost test\r\n")
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 localhost\r\n")
            elif command == "DATA":
                self.wfile.write(b"354 go ahead\r\n")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(data)
                server.mails.append(b"".join(body).decode("utf-8", "replace"))
                server.received.set()
                self.wfile.write(b"250 ok\r\n")
            elif command == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


class HookReceiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _HookHandler)
        self.bodies: list[dict] = []
        self.received = threading.Event()


class _HookHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        server: HookReceiver = self.server  # type: ignore[assignment]
        server.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        server.received.set()
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(name="receivers")
def serve_receivers() -> Iterator[tuple[SmtpReceiver, HookReceiver]]:
    smtp, hook = SmtpReceiver(), HookReceiver()
    for server in (smtp, hook):
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield smtp, hook
    for server in (smtp, hook):
        server.shutdown()
        server.server_close()
