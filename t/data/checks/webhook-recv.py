#!/usr/bin/env python3
# Webhook receiver for tests: listens on 127.0.0.1:PORT, appends each POST
# body as one line to FILE, answers 200. Usage: webhook-recv.py PORT FILE
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
import http.server, sys

class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        with open(sys.argv[2], 'ab') as f:
            f.write(body + b'\n')
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass

http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
