"""A safety net for the address-guard tests: no socket may connect outside 127.0.0.0/8.

The guard tests name addresses such as 169.254.169.254 (cloud metadata), 10.0.0.1 or fd00::1.
If the guard were broken, linkcheck would really connect to them, from whatever network runs
the tests. `OutsideConnections.install` patches the places every connection goes through
(`socket.socket.connect`/`connect_ex`, the event loop's `sock_connect`): a destination outside
127.0.0.0/8 is recorded and refused with ConnectionRefusedError before any packet is sent.
A test asserts the record is empty; a broken guard fails it (and reports `connect`, not
`private_address`), and never reaches the address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any

import pytest

LOOPBACK_V4 = ipaddress.ip_network("127.0.0.0/8")


class OutsideConnections:
    def __init__(self) -> None:
        self.attempts: list[Any] = []

    def allowed(self, address: Any) -> bool:
        if not isinstance(address, tuple):  # a Unix socket path: no network
            return True
        try:
            ip = ipaddress.ip_address(str(address[0]).split("%", 1)[0])
        except ValueError:  # a name: the socket would resolve it itself
            return False
        return ip.version == 4 and ip in LOOPBACK_V4

    def check(self, address: Any) -> None:
        if not self.allowed(address):
            self.attempts.append(address)
            raise ConnectionRefusedError(f"the test refuses to connect to {address!r}")

    def install(self, monkeypatch: pytest.MonkeyPatch) -> OutsideConnections:
        connect, connect_ex = socket.socket.connect, socket.socket.connect_ex
        loop_class: Any = asyncio.SelectorEventLoop
        sock_connect = loop_class.sock_connect

        def guarded_connect(sock: socket.socket, address: Any) -> None:
            self.check(address)
            connect(sock, address)

        def guarded_connect_ex(sock: socket.socket, address: Any) -> int:
            self.check(address)
            return connect_ex(sock, address)

        async def guarded_sock_connect(loop: Any, sock: socket.socket, address: Any) -> None:
            self.check(address)
            await sock_connect(loop, sock, address)

        monkeypatch.setattr(socket.socket, "connect", guarded_connect)
        monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
        monkeypatch.setattr(loop_class, "sock_connect", guarded_sock_connect)
        return self
