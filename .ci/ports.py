#!/usr/bin/env python3
"""Loopback ports for the servers CI starts: ones the kernel reports free now (bound to port 0
together, then released). A random pick from a fixed range can land on a port in use: ranges
such as 41000-49000 lie inside Linux's ephemeral range (32768-60999), where every outgoing
connection takes its local port, and a server that cannot bind exits.

Imported by the CI scripts (`from ports import free_ports`); run as a script it prints one."""
import socket


def free_ports(n):
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


if __name__ == "__main__":
    print(free_ports(1)[0])
