#!/usr/bin/python3
"""An SMTP server for the e-mail receiver's tests (aiosmtpd, Debian python3-aiosmtpd).

Listens on 127.0.0.1 on a free port and prints it on the first line of stdout.
Each accepted message is stored as <dir>/<n>.eml and <dir>/<n>.json: the
envelope, whether it came over TLS, the login used, and the message as
Python's e-mail parser reads it (decoded headers, each part's type and text).
"""
import argparse
import asyncio
import json
import os
import socket
import ssl
from email import policy
from email.parser import BytesParser

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, args):
        self.args = args
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.args.reject:
            return "550 5.1.1 <%s>: recipient address rejected" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.args.tempfail:
            return "451 4.3.0 mailbox busy, try again later"
        self.count += 1
        base = os.path.join(self.args.dir, "%04d" % self.count)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        msg = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        parts = []
        for part in msg.walk():
            if part.is_multipart():
                continue
            parts.append({"type": part.get_content_type(), "charset": part.get_content_charset(),
                          "encoding": part.get("Content-Transfer-Encoding", ""), "text": part.get_content()})
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None or self.args.smtps,
            "login": login,
            "headers": {k: str(v) for k, v in msg.items()},
            "content_type": msg.get_content_type(),
            "parts": parts,
        }
        with open(base + ".json.tmp", "w") as f:
            json.dump(record, f)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 2.0.0 queued as %d" % self.count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--auth", help="user:password; then AUTH is required")
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--tempfail", action="store_true")
    p.add_argument("--smtps", action="store_true", help="TLS from the start (needs --tls)")
    args = p.parse_args()

    context = None
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.tls)

    def authenticator(server, session, envelope, mechanism, auth_data):
        user, _, password = args.auth.partition(":")
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and \
            auth_data.password.decode() == password
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    handler = Handler(args)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)

    def factory():
        starttls = context if not args.smtps else None
        return SMTP(handler, hostname="localhost", decode_data=False, tls_context=starttls,
                    require_starttls=starttls is not None,
                    authenticator=authenticator if args.auth else None, auth_required=bool(args.auth),
                    auth_require_tls=context is not None)

    async def serve():
        server = await asyncio.get_running_loop().create_server(factory, sock=sock,
                                                                ssl=context if args.smtps else None)
        print(sock.getsockname()[1], flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
