"""A real SMTP server (Debian's python3-aiosmtpd) that stores every message
it receives as a file in a folder, for the tests to read.

usage: smtp_sink.py PORT FOLDER
"""
import os
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Store:
    def __init__(self, folder):
        self.folder = folder
        self.n = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            name = "%d-%06d.eml" % (int(time.time() * 1000), self.n)
        tmp = os.path.join(self.folder, "." + name)
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-From: " + envelope.mail_from.encode() + b"\r\n")
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.folder, name))
        return "250 Message accepted for delivery"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    ctl = Controller(Store(folder), hostname="127.0.0.1", port=port)
    ctl.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    print("smtp sink listening on %d" % port, flush=True)
    done.wait()
    ctl.stop()


if __name__ == "__main__":
    main()
