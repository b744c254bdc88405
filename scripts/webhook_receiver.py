"""A webhook receiver for trying alerts locally: prints each delivery, checks its signature.

    WIRE_HOOK_SECRET=change-me python3 scripts/webhook_receiver.py [--port 9000]

then in config/feeds.yaml an alert rule with `webhook: http://127.0.0.1:9000/hooks/wire` and
`secret: ${WIRE_HOOK_SECRET}` (the same variable, set for `wire run` too). Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SEEN: set[str] = set()


def verify(secret: str, body: bytes, header: str) -> bool:
    """The check a receiver makes: HMAC-SHA256 of the raw body, compared in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


class Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        secret = os.environ.get("WIRE_HOOK_SECRET")
        if secret and not verify(secret, body, self.headers.get("X-Wire-Signature", "")):
            self.send_response(401)
            self.end_headers()
            print("refused: bad signature", flush=True)
            return
        delivery = self.headers.get("X-Wire-Delivery", "")
        alert = json.loads(body)
        again = " (again: already seen)" if delivery in SEEN else ""
        SEEN.add(delivery)
        print(f"alert {delivery}{again}: {alert['rule']} {alert['change']} "
              f"[{alert['story']['provider']}] {alert['story']['headline']}", flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=9000)
    port = parser.parse_args().port
    print(f"listening on http://127.0.0.1:{port}/hooks/wire", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Hook).serve_forever()


if __name__ == "__main__":
    main()
