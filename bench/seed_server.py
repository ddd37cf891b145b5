#!/usr/bin/env python3
"""The seed's HTTPS server, ported to Python 3.

This is the hand-tuned server chaintool's `serve` replaces, kept as the
bench/serve.sh baseline and as a grading target: http.server behind an
ssl context with TLS 1.0 and 1.1 switched off, three ECDHE-RSA AES-256
ciphers for TLS 1.2 (TLS 1.3 keeps OpenSSL's defaults), and HSTS added
in end_headers. As in the seed, the TLS handshake happens in accept() on
the listening socket, requests are HTTP/1.0 (no keep-alive) and every
request is logged on stderr.

Usage: python3 bench/seed_server.py --cert server.pem --port 4443 [--dir DIR]
server.pem holds the chain and the private key, as the seed loaded it.
"""

import argparse
import functools
import http.server
import ssl
import sys

# The seed's three ciphers: 256-bit AES only, which is what took its cipher
# score to 100 under TLS 1.2 alone.
CIPHERS = "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES256-SHA"

HSTS = "max-age=63072000; includeSubDomains"


class HSTSHandler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Strict-Transport-Security", HSTS)
        super().end_headers()


def main():
    p = argparse.ArgumentParser(description="the seed's HTTPS server, in Python 3")
    p.add_argument("--cert", required=True, help="PEM with the chain and the private key")
    p.add_argument("--port", type=int, default=4443)
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--dir", default=".", help="folder to serve (default: the current one)")
    args = p.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.options |= ssl.OP_NO_TLSv1 | ssl.OP_NO_TLSv1_1
    ctx.set_ciphers(CIPHERS)
    ctx.load_cert_chain(args.cert)

    handler = functools.partial(HSTSHandler, directory=args.dir)
    httpd = http.server.ThreadingHTTPServer((args.bind, args.port), handler)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    print("serving https://%s:%d/" % (args.bind, args.port), file=sys.stderr, flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
