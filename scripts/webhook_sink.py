#!/usr/bin/env python3
"""A webhook target for the demo: prints one line per alert brandmon-notify
POSTs to it ({"v":1,"receiver":…,"alerts":[…]}) and answers 200.

Usage: scripts/webhook_sink.py [PORT]   (default 8787, on 127.0.0.1)
"""

import http.server
import json
import sys


class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            delivery = json.loads(body)
            for a in delivery["alerts"]:
                print(f"webhook {delivery['receiver']}: #{a['seq']} {a['brand']} {a['rule']} "
                      f"[{a['severity']}] {a['summary']}", flush=True)
        except (ValueError, KeyError, TypeError) as e:
            print(f"webhook: unreadable delivery ({e})", flush=True)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8787
    http.server.ThreadingHTTPServer(("127.0.0.1", port), Sink).serve_forever()
