#!/usr/bin/python3
"""A desktop-class XMPP client (Debian's python3-slixmpp) for XmppTcpClientsTest: connects over
TCP with STARTTLS (trusting the test's certificate only), logs in, sends one chat message, and
ends its stream. Exit 0 once the message went out, 1 on a refused login or TLS, 2 on a timeout.

usage: slixmpp-send.py HOST PORT JID PASSWORD TO BODY CA_PEM
"""
import asyncio
import sys

from slixmpp import ClientXMPP


class Sender(ClientXMPP):
    def __init__(self, jid, password, to, body):
        super().__init__(jid, password)
        self.to = to
        self.body = body
        self.outcome = None
        self.add_event_handler("session_start", self.start)
        self.add_event_handler("failed_auth", self.refused)
        self.add_event_handler("tls_failed", self.refused)

    async def start(self, event):
        self.send_presence(pstatus="slixmpp here")
        await self.get_roster()
        self.send_message(mto=self.to, mbody=self.body, mtype="chat")
        self.outcome = 0
        self.disconnect()

    def refused(self, event):
        print("refused:", event, file=sys.stderr)
        self.outcome = 1
        self.disconnect()


def main():
    host, port, jid, password, to, body, ca = sys.argv[1:8]
    sender = Sender(jid, password, to, body)
    sender.ca_certs = ca
    sender.connect((host, int(port)), force_starttls=True)
    loop = asyncio.get_event_loop()
    try:
        loop.run_until_complete(asyncio.wait_for(sender.disconnected, 30))
    except asyncio.TimeoutError:
        print("timed out", file=sys.stderr)
        sys.exit(2)
    sys.exit(1 if sender.outcome is None else sender.outcome)


if __name__ == "__main__":
    main()
