"""Real servers on loopback addresses that play a hostile web for the link checker's tests."""
from __future__ import annotations

import datetime
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

import pytest

Route = Callable[[BaseHTTPRequestHandler], None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart (delayed ACK)

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _dispatch(self) -> None:
        site: Site = self.server.site  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        site.hits.append((self.command, self.path, time.monotonic()))
        route = site.routes.get(path) or site.routes.get("*")
        try:
            (route or reply(404, "<title>Not Found</title>"))(self)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass  # the checker hung up, as it should on a body that never ends

    do_GET = do_HEAD = do_POST = _dispatch


def reply(status: int = 200, body: str | bytes = "", headers: dict[str, str] | None = None,
          content_type: str = "text/html; charset=utf-8", delay: float = 0.0) -> Route:
    """A route that answers ``status`` with ``body`` (nothing for HEAD), after ``delay`` seconds."""
    data = body.encode() if isinstance(body, str) else body

    def route(handler: BaseHTTPRequestHandler) -> None:
        if delay:
            time.sleep(delay)
        handler.send_response(status)
        if content_type:
            handler.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(data)
    return route


def redirect(location: str, status: int = 302) -> Route:
    """A route that redirects to ``location``."""
    return reply(status, "", {"Location": location})


def html(title: str, body: str = "", head: str = "") -> str:
    """A small HTML page."""
    return f"<!doctype html><html><head><title>{title}</title>{head}</head><body><h1>{title}</h1>" \
           f"<p>{body}</p></body></html>"


def endless_body(handler: BaseHTTPRequestHandler) -> None:
    """Headers, then HTML forever (until the client hangs up)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"<p>" + b"more " * 2000 + b"</p>"
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    handler.wfile.write(b"6\r\n<html>\r\n")
    while True:
        handler.wfile.write(frame)


def trickle(handler: BaseHTTPRequestHandler) -> None:
    """Headers, then one byte every 0.1 s forever: no read timeout ever fires, only a total deadline."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "100000000")
    handler.end_headers()
    while True:
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.1)


class Site:
    """An HTTP(S) server bound on one loopback address, answering from ``routes`` (path -> Route)."""

    def __init__(self, routes: dict[str, Route], host: str = "127.0.0.1",
                 tls: tuple[Path, Path] | None = None) -> None:
        self.routes, self.hits = routes, []  # hits: (method, path, monotonic time)
        self.server = ThreadingHTTPServer((host, 0), _Handler)
        self.server.daemon_threads = True
        self.server.site = self  # type: ignore[attr-defined]
        scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.base = f"{scheme}://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str = "/") -> str:
        return self.base + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SilentServer:
    """Accepts connections and never says a word."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.sock = socket.socket()
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.held: list[socket.socket] = []
        self.base = f"http://{host}:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def url(self, path: str = "/") -> str:
        return self.base + path

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def self_signed(directory: Path, host: str = "127.0.0.1", days: int = 30) -> tuple[Path, Path]:
    """A self-signed certificate for ``host`` (an IP) valid ``days`` more (negative: expired), written
    into ``directory``: returns the (cert, key) files."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=60))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture
def serve() -> Iterator[Callable[..., Site]]:
    """Start sites for a test (``serve(routes, host=..., tls=...)``); all are shut at its end."""
    started: list = []

    def start(routes: dict[str, Route], host: str = "127.0.0.1", tls: tuple[Path, Path] | None = None) -> Site:
        site = Site(routes, host, tls)
        started.append(site)
        return site

    yield start
    for site in started:
        site.close()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    """A server that accepts and never answers."""
    server = SilentServer("127.0.0.9")
    yield server
    server.close()
