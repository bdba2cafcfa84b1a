"""harness.py: what the reliability scripts share (badinput.py, hostile.py,
server_faults.py): a pass/fail tally with figures, a `dealscore serve` started
on a free loopback port, and a blocking line client for it."""

import json
import re
import socket
import subprocess
import sys
import time

WAIT = 60.0  # the longest any single wait may take


class Tally:
    """Counts checks; a failed one is printed at once. `figures` holds counts
    for the report."""

    def __init__(self):
        self.passed = self.failed = 0
        self.figures = {}

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: %s %s" % (name, detail), file=sys.stderr)
        return ok

    def count(self, key, n=1):
        self.figures[key] = self.figures.get(key, 0) + n


def start_serve(program, args, log):
    """Starts `program serve --listen 127.0.0.1:0 ARGS` with stderr to the open
    file `log`; returns (process, port) once it logs where it listens."""
    proc = subprocess.Popen([program, "serve", "--listen", "127.0.0.1:0"] + list(args),
                            stderr=log)
    for _ in range(400):
        with open(log.name, "rb") as f:
            m = re.search(rb"listening on 127\.0\.0\.1:(\d+)", f.read())
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    with open(log.name, errors="replace") as f:
        raise RuntimeError("dealscore serve did not start: " + f.read())


def as_line(obj):
    """A request as one line: bytes as they are (newline added), else JSON."""
    if isinstance(obj, bytes):
        return obj if obj.endswith(b"\n") else obj + b"\n"
    return (json.dumps(obj) + "\n").encode()


class Conn:
    """A blocking client connection to the service, reading line by line."""

    def __init__(self, port, timeout=WAIT, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.buf = b""

    def send(self, obj):
        self.sock.sendall(as_line(obj))

    def read_line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise EOFError("closed by the server")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def read_all(self):
        """Everything until the server closes; the lines."""
        chunks = [self.buf]
        while True:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        self.buf = b""
        return [l for l in b"".join(chunks).split(b"\n") if l]

    def close(self):
        self.sock.close()

    def reset(self):
        """Closes with a TCP reset, as a client that crashed."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.sock.close()
