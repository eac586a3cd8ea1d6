"""Fixtures of the metadata tests: a small threaded loopback server for the faults pytest-httpserver cannot
play (hangs, endless or slow bodies, decompression bombs) and a TLS listener with a self-signed certificate."""
from __future__ import annotations

import datetime
import functools
import gzip
import ipaddress
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BOMB_DECODED = 64 * 1024 * 1024  # 64 MiB of zeros, about 64 KiB on the wire


@functools.cache
def _bomb() -> bytes:
    return gzip.compress(b"\0" * BOMB_DECODED, compresslevel=9)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        stop: threading.Event = self.server.stop  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        try:
            if path == "/redirect":  # /redirect?to=URL
                target = self.path.split("?to=", 1)[1]
                self._head(302, {"Location": target, "Content-Length": "0"})
            elif path.startswith("/hang"):
                stop.wait(30)
            elif path.startswith("/endless"):
                self._head(200, {"Content-Type": "text/html", "Connection": "close"})
                chunk = b"<p>" + b"x" * 65536 + b"</p>"
                while not stop.is_set():
                    self.wfile.write(chunk)
            elif path.startswith("/big"):  # 50 MB announced and sent
                size = 50 * 1000 * 1000
                self._head(200, {"Content-Type": "application/octet-stream", "Content-Length": str(size)})
                chunk = b"y" * 1_000_000
                for _ in range(50):
                    if stop.is_set():
                        break
                    self.wfile.write(chunk)
            elif path.startswith("/drip"):  # a byte every 0.2 s: never trips a read timeout
                self._head(200, {"Content-Type": "text/html", "Content-Length": "100000"})
                while not stop.is_set():
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            elif path.startswith("/cut"):  # 1000 bytes announced, 100 sent, then the connection closes
                self._head(200, {"Content-Type": "text/html", "Content-Length": "1000"})
                self.wfile.write(b"x" * 100)
                self.wfile.flush()
                self.close_connection = True
            elif path.startswith("/bomb"):
                self._head(200, {"Content-Type": "text/html", "Content-Encoding": "gzip",
                                 "Content-Length": str(len(_bomb()))})
                self.wfile.write(_bomb())
            else:
                body = b"<html><head><title>TLS page</title></head></html>"
                self._head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))})
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass  # the client stopped reading: that is what the test wanted


class FaultServer:
    """Serve the fault paths on 127.0.0.1 (optionally over TLS) in a background thread."""

    def __init__(self, tls_dir: Path | None = None, host: str = "127.0.0.1"):
        self.host = host
        self.httpd = ThreadingHTTPServer((host, 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.requests = []  # type: ignore[attr-defined]
        self.httpd.stop = threading.Event()  # type: ignore[attr-defined]
        self.scheme = "http"
        if tls_dir is not None:
            cert, key = make_self_signed(tls_dir)
            self.cert_path = cert
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def requests(self) -> list[str]:
        return self.httpd.requests  # type: ignore[attr-defined]

    def url(self, path: str, host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.httpd.server_address[1]}{path}"

    def __enter__(self) -> "FaultServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.stop.set()  # type: ignore[attr-defined]
        self.httpd.shutdown()
        self.httpd.server_close()


def make_self_signed(directory: Path, days: int = 30) -> tuple[str, str]:
    """Write a self-signed certificate for localhost/127.0.0.1, valid ``days`` days; return its paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


@pytest.fixture
def faults():
    """The fault server over plain HTTP."""
    with FaultServer() as server:
        yield server


@pytest.fixture
def faults_on_127_0_0_2():
    """The fault server on another loopback address, for a client that allows only that one."""
    with FaultServer(host="127.0.0.2") as server:
        yield server


@pytest.fixture
def tls_faults(tmp_path):
    """The fault server over TLS with a self-signed certificate (30 days left)."""
    with FaultServer(tls_dir=tmp_path) as server:
        yield server


DATA = Path(__file__).parent / "data"
CSL_JSON = "application/vnd.citationstyles.csl+json"


def read_data(name: str) -> bytes:
    """A payload from tests/metadata/data."""
    return (DATA / name).read_bytes()


@pytest.fixture
def make_resolver(tmp_path):
    """A Resolver whose DOI resolver and Crossref are loopback servers; overrides are settings."""
    from refsvc.metadata import Resolver

    made = []

    def make(resolver_base: str, crossref_base: str = "http://127.0.0.1:9", **overrides):
        settings = {"DOI_RESOLVER": resolver_base, "CROSSREF_API": crossref_base,
                    "ALLOW_PRIVATE_ADDRESSES": True, "HTTP_CACHE_PATH": str(tmp_path / "http_cache.sqlite"),
                    "CONTACT_EMAIL": "editors@example.org", "LOOKUP_TIMEOUT": 5.0, **overrides}
        resolver = Resolver.from_settings(settings)
        made.append(resolver)
        return resolver

    yield make
    for resolver in made:
        resolver.close()
