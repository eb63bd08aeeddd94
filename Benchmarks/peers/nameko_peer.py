"""nameko-salesforce 1.2.0 (nameko 2.14, nameko-bayeux-client 1.0) as a benchmark client.

The peer is used as published; this driver only adapts the environment (reference §6):
- Python 3.10+ removed the `collections` ABC aliases that nameko-bayeux-client and cachetools 2.0
  use: they are put back before importing.
- simple-salesforce 0.72.2 logs in at a hard-coded https://login.salesforce.com, and
  nameko-salesforce talks to https://<serverUrl host>/cometd/<version>: it insists on HTTPS.
  The simulator serves plain HTTP, so requests' transport adapter rewrites those https URLs to
  the simulator's http URL (no TLS on either side of the comparison).
"""
import collections
import collections.abc

for _name in ("Sequence", "MutableMapping", "Mapping", "Iterable", "Callable", "MutableSet"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

import eventlet  # noqa: E402

eventlet.monkey_patch()

import signal  # noqa: E402
import time  # noqa: E402
import json  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import requests.adapters  # noqa: E402

import peer_common  # noqa: E402

args = peer_common.parse_args("nameko")
SIM = urlsplit(args.login_url)
_send = requests.adapters.HTTPAdapter.send


def _send_to_simulator(self, request, **kwargs):
    parts = urlsplit(request.url)
    if parts.scheme == "https" and parts.hostname in ("login.salesforce.com", "test.salesforce.com",
                                                      SIM.hostname, "localhost", "127.0.0.1"):
        request.url = parts._replace(scheme="http", netloc=SIM.netloc).geturl()
    return _send(self, request, **kwargs)


requests.adapters.HTTPAdapter.send = _send_to_simulator

from nameko.runners import ServiceRunner  # noqa: E402
from nameko_salesforce.streaming import subscribe  # noqa: E402

REC = peer_common.Recorder(args.after_replay_id)


class BenchService:
    name = "bench-nameko"

    @subscribe(peer_common.CHANNEL)
    def handle(self, channel, message):
        REC.record(message["event"]["replayId"], message.get("sobject", {}).get("Name"))


config = {
    "max_workers": args.max_workers,
    "SALESFORCE": {
        "USERNAME": args.username, "PASSWORD": args.password,
        "SECURITY_TOKEN": args.security_token, "SANDBOX": False, "API_VERSION": "64.0",
        "PUSHTOPIC_REPLAY_ENABLED": bool(args.redis_uri),
        "PUSHTOPIC_REPLAY_REDIS_URI": args.redis_uri or "",
    },
}
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
signal.signal(signal.SIGINT, lambda *_: stop.append(1))

runner = ServiceRunner(config)
runner.add_service(BenchService)
runner.start()
started = time.time_ns()
while not REC.done(args.expect, started, args.idle_timeout):
    eventlet.sleep(0.02)  # arrival times come from the handler
peer_common.say("RESULT " + json.dumps(REC.result("nameko", args.expect)))
while not stop:
    eventlet.sleep(0.05)
with eventlet.Timeout(10, False):
    runner.stop()
peer_common.say("STOPPED")
