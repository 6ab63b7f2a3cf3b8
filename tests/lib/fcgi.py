"""A minimal FastCGI client for tests that talk to the portal socket
directly (what nginx does): to pass parameters nginx would (HTTPS=on), and
to send records nginx never would."""
import socket
import struct

BEGIN, ABORT, END, PARAMS, STDIN, STDOUT, STDERR = 1, 2, 3, 4, 5, 6, 7


def record(rtype, content, req_id=1):
    return struct.pack(">BBHHBB", 1, rtype, req_id, len(content), 0, 0) + content


def _len(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def pairs(params):
    out = b""
    for k, v in params.items():
        k, v = k.encode(), v.encode("utf-8", "surrogateescape")  # "\udcff": the byte 0xff
        out += _len(len(k)) + _len(len(v)) + k + v
    return out


def connect(path, timeout=10, source=None):
    """A connection to a portal master: a unix socket's path, or
    "HOST:PORT" (a master on TCP, PORTAL_MASTER_PORT_BASE), from the
    address source if given."""
    if "/" not in path and ":" in path:
        host, port = path.rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if source:
            s.bind((source, 0))
        s.settimeout(timeout)
        s.connect((host, int(port)))
        return s
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def read_all(s):
    """Read records until END_REQUEST or EOF; returns stdout bytes (or None on EOF
    before any END_REQUEST)."""
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return None
        if not chunk:
            break
        data += chunk
    out, ended, i = b"", False, 0
    while i + 8 <= len(data):
        version, rtype, req_id, clen, plen, _ = struct.unpack(">BBHHBB", data[i:i + 8])
        assert version == 1 and req_id == 1, (version, rtype, req_id)  # the one request sent
        body = data[i + 8:i + 8 + clen]
        assert len(body) == clen, (rtype, clen, len(body))  # a record cut short
        if rtype == STDOUT:
            out += body
        elif rtype == END:
            ended = True
        i += 8 + clen + plen
    return out if ended else None


def request(path, params, stdin=b"", source=None):
    """One request; returns (status, headers dict (lower-case, lists), body)."""
    s = connect(path, source=source)
    try:
        s.sendall(record(BEGIN, struct.pack(">HB5x", 1, 0)))
        s.sendall(record(PARAMS, pairs(params)) + record(PARAMS, b""))
        if stdin:
            s.sendall(record(STDIN, stdin))
        s.sendall(record(STDIN, b""))
        raw = read_all(s)
    finally:
        s.close()
    if raw is None:
        return None, {}, b""
    head, _, body = raw.partition(b"\r\n\r\n")
    headers = {}
    status = 200
    for line in head.decode("latin-1").split("\r\n"):
        k, _, v = line.partition(":")
        v = v.strip()
        if k.lower() == "status":
            status = int(v.split()[0])
        headers.setdefault(k.lower(), []).append(v)
    return status, headers, body


def base_params(method="GET", uri="/login", host="127.0.0.1"):
    return {"REQUEST_METHOD": method, "REQUEST_URI": uri, "DOCUMENT_URI": uri.split("?")[0],
            "QUERY_STRING": uri.partition("?")[2], "HTTP_HOST": host, "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_LENGTH": "", "CONTENT_TYPE": ""}
