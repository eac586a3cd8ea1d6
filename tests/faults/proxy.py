"""A loopback TCP proxy that tests can stop, hang and restore, in front of a real server.

    forward   pass bytes both ways (the normal state)
    hang      accept connections and keep them open, but pass nothing either way (a server that
              stopped answering: a network partition, a frozen process)
    refuse    nothing listens (connection refused) and open connections are closed
"""
from __future__ import annotations

import socket
import threading
import time


class TcpProxy:
    """Proxy 127.0.0.1:<port> to ``target`` (host, port); ``mode`` is forward, hang or refuse."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.mode = "forward"
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.held = 0  # connections and sends being held by a hang right now
        self.port = self._listen(0)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _listen(self, port: int) -> int:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return listener.getsockname()[1]

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed: refuse mode
            with self._lock:
                self._sockets.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _hold(self) -> None:
        if self.mode != "hang":
            return
        with self._lock:
            self.held += 1
        while self.mode == "hang":
            time.sleep(0.05)  # held open, answered never (until the proxy forwards again)
        with self._lock:
            self.held -= 1

    def wait_held(self, count: int, timeout: float = 30) -> bool:
        """Wait until ``count`` connections or sends are held by a hang (the clients are stuck)."""
        deadline = time.monotonic() + timeout
        while self.held < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def _serve(self, client: socket.socket) -> None:
        self._hold()
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        with self._lock:
            self._sockets.append(upstream)
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                self._hold()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def hang(self) -> None:
        """Keep every connection open and pass nothing."""
        self.mode = "hang"

    def refuse(self) -> None:
        """Stop listening and drop every connection."""
        self.mode = "refuse"
        if self._listener is not None:
            try:  # wakes the thread blocked in accept(); close() alone would leave it accepting
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        self._drop_all()

    def forward(self) -> None:
        """Work again (listening on the same port); hung connections are dropped, as a server
        restarted after a freeze would have dropped them."""
        if self.mode == "hang":
            self._drop_all()
        if self._listener is None:
            self._listen(self.port)
        self.mode = "forward"

    def _drop_all(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def close(self) -> None:
        """Stop for good."""
        self.refuse()
