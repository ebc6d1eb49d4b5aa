"""A live server over TLS for real browsers: Django's LiveServerThread with its sockets
wrapped in a self-signed certificate the test makes, serving the project on every host name
and a directory of static files (a single-page "app") on one of them.

It runs in the test process, so an in-memory SQLite database is shared with the test, as with
pytest-django's ``live_server``: tests need ``django_db(transaction=True)``.
"""

from __future__ import annotations

import datetime
import ipaddress
import mimetypes
import socket
import ssl
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def self_signed(directory: Path, hosts: list[str]) -> tuple[Path, Path]:
    """A certificate (and its key) for ``hosts`` (names or IP addresses), valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    sans: list[x509.GeneralName] = []
    for host in hosts:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            sans.append(x509.DNSName(host))
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "server.crt", directory / "server.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class HttpsRequestHandler(QuietWSGIRequestHandler):
    """Tells Django the request came over https (``request.is_secure()``, Secure cookies)."""

    def get_environ(self) -> dict[str, str]:
        environ: dict[str, str] = super().get_environ()
        environ["HTTPS"] = "on"
        return environ


class TLSWSGIServer(ThreadedWSGIServer):
    """Accepts in the serving thread and shakes hands in the connection's own thread, so a
    browser's idle pre-connection never blocks the accept loop."""

    ssl_context: ssl.SSLContext

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        return self.ssl_context.wrap_socket(sock, server_side=True,
                                            do_handshake_on_connect=False), address

    def finish_request(self, request: Any, client_address: Any) -> None:
        # An idle kept-alive connection gives up after a while instead of holding a thread
        # (and the shared database connection) for the rest of the run.
        request.settimeout(30)
        try:
            request.do_handshake()
        except (ssl.SSLError, OSError):
            return
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser drops idle TLS connections without a close_notify: nothing to report.
        if not isinstance(sys.exc_info()[1], ssl.SSLError):
            super().handle_error(request, client_address)


class TLSLiveServerThread(LiveServerThread):
    server_class = TLSWSGIServer

    def __init__(self, *args: Any, cert_file: Path, key_file: Path, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert_file, key_file)

    def _create_server(self, connections_override: Any = None) -> TLSWSGIServer:
        server = TLSWSGIServer((self.host, self.port), HttpsRequestHandler,
                               allow_reuse_address=False,
                               connections_override=connections_override)
        server.ssl_context = self.context
        return server


class StaticSite:
    """WSGI: the files of ``directory`` for requests whose Host is ``host`` (any other path
    gets ``index.html``, as a single-page app's server does); every other host goes to
    ``app``. Every request is logged as ``(method, Host, path)``."""

    def __init__(self, app: WSGIApp, host: str, directory: Path,
                 log: list[tuple[str, str, str]]) -> None:
        self.app, self.host, self.directory, self.log = app, host, directory, log

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST", "")
        self.log.append((environ["REQUEST_METHOD"], host, environ.get("PATH_INFO", "")))
        if host.partition(":")[0].lower() != self.host:
            return self.app(environ, start_response)
        name = environ.get("PATH_INFO", "/").lstrip("/")
        path = (self.directory / name).resolve()
        if not name or not path.is_file() or path.parent != self.directory.resolve():
            path = self.directory / "index.html"
        body = path.read_bytes()
        start_response("200 OK", [
            ("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream"),
            ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
        return [body]


class TLSLiveServer:
    """Started in the test process on 127.0.0.1 and a free port; ``stop()`` it."""

    def __init__(self, cert_file: Path, key_file: Path, static_host: str,
                 static_dir: Path) -> None:
        shared = {c.alias: c for c in connections.all()
                  if isinstance(c, SQLiteWrapper) and c.is_in_memory_db()}
        #: ``(method, Host, path)`` of every request the server answered.
        self.log: list[tuple[str, str, str]] = []
        self.thread = TLSLiveServerThread(
            "127.0.0.1",
            lambda app: StaticSite(StaticFilesHandler(app), static_host, static_dir, self.log),
            connections_override=shared, port=0, cert_file=cert_file, key_file=key_file)
        self.thread.daemon = True
        for conn in shared.values():
            conn.inc_thread_sharing()
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            self.stop()
            raise self.thread.error

    @property
    def port(self) -> int:
        return int(self.thread.port)

    def stop(self) -> None:
        self.thread.terminate()
        for conn in (self.thread.connections_override or {}).values():
            conn.dec_thread_sharing()


def serve(cert_file: Path, key_file: Path, static_host: str,
          static_dir: Path) -> Iterator[TLSLiveServer]:
    """A generator fixture body: the server, stopped afterwards."""
    server = TLSLiveServer(cert_file, key_file, static_host, static_dir)
    try:
        yield server
    finally:
        server.stop()
