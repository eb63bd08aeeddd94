"""Third-party client check: aiosfstream-ng 0.7.5 against the Salesforce simulator.

Usage: aiosfstream-check.py BASE_URL   (e.g. http://localhost:8080; use a host name, not an IP:
aiohttp's cookie jar ignores cookies from IP-address hosts, so BAYEUX_BROWSER would never be sent)

The simulator must run with the demo user and connected app and `--base-url BASE_URL`.
Logs in (OAuth password flow), subscribes, receives events published through the control API,
checks replay from a stored ID, -2, an invalid ID with fallback, and survival of injected faults.
Prints one line per check and `N passed, N failed`; exits 1 if any check failed.
"""
import asyncio
import json
import sys
import urllib.request

import aiosfstream_ng.auth as sf_auth

BASE = sys.argv[1].rstrip("/")
# Shim (reference §6): aiosfstream-ng takes its token URL from a module constant.
sf_auth.TOKEN_URL = BASE + "/services/oauth2/token"

from aiosfstream_ng import ReplayMarker, ReplayOption, SalesforceStreamingClient  # noqa: E402
from aiosfstream_ng.exceptions import ServerError  # noqa: E402

CHANNEL = "/topic/AiosfstreamCheck"
passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def control(path, body=None, method="POST"):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def publish(names):
    events = [{"sobject": {"Id": f"a00{n}", "Name": n}} for n in names]
    return control("/simulator/events", {"channel": CHANNEL, "events": events})["replayIds"]


def client(**kwargs):
    # Shim (reference §6): connection_timeout=0 disables aiocometd-ng's watchdog, which calls
    # asyncio.wait_for(loop=...) (removed in Python 3.10); the client then reconnects after 1 s.
    return SalesforceStreamingClient(
        consumer_key="demo-consumer-key", consumer_secret="demo-consumer-secret",
        username="demo@example.com", password="demo-passworddemo-token",
        connection_timeout=0, **kwargs)


async def receive(c, count, timeout=15.0):
    messages = []
    iterator = c.__aiter__()
    while len(messages) < count:
        messages.append(await asyncio.wait_for(iterator.__anext__(), timeout))
    return messages


def replay_ids(messages):
    return [m["data"]["event"]["replayId"] for m in messages]


async def step(name, coroutine):
    print(f"---- {name}")
    try:
        await coroutine
    except Exception as error:  # one failing step must not hide the others
        check(name, False, f"raised {type(error).__name__}: {error}")


async def live_and_stored_replay(storage, published):
    async with client(replay=storage) as c:
        await c.subscribe(CHANNEL)
        ids = publish(["INV-1", "INV-2", "INV-3"])
        published.extend(ids)
        messages = await receive(c, 3)
        check("receives events published through the control API", replay_ids(messages) == ids,
              f"{replay_ids(messages)} != {ids}")
        first = messages[0]
        check("PushTopic event shape", first["channel"] == CHANNEL
              and first["data"]["event"]["type"] == "created"
              and first["data"]["sobject"] == {"Id": "a00INV-1", "Name": "INV-1"}
              and first["data"]["event"]["createdDate"].endswith("Z"), json.dumps(first))
        check("replay storage holds the last replay ID", storage[CHANNEL].replay_id == ids[-1], repr(storage))
    offline = publish(["INV-4", "INV-5"])
    published.extend(offline)
    async with client(replay=storage) as c:
        await c.subscribe(CHANNEL)
        messages = await receive(c, 2)
        check("resubscribing from the stored replay ID gets exactly the missed events",
              replay_ids(messages) == offline, f"{replay_ids(messages)} != {offline}")


async def replay_all(published):
    async with client(replay=ReplayOption.ALL_EVENTS) as c:
        await c.subscribe(CHANNEL)
        messages = await receive(c, len(published))
        check("replay -2 gets every retained event", replay_ids(messages) == published,
              f"{replay_ids(messages)} != {published}")


async def invalid_replay(published):
    bad = {CHANNEL: ReplayMarker(date="2020-01-01T00:00:00.000Z", replay_id=987654321)}
    async with client(replay=dict(bad)) as c:
        try:
            await c.subscribe(CHANNEL)
            check("an invalid replay ID is refused with Salesforce's 400 error", False, "subscribe succeeded")
        except ServerError as error:
            text = str(error)
            check("an invalid replay ID is refused with Salesforce's 400 error",
                  "The replayId {987654321} you provided was invalid" in text, text)
    async with client(replay=dict(bad), replay_fallback=ReplayOption.ALL_EVENTS) as c:
        await c.subscribe(CHANNEL)
        messages = await receive(c, len(published))
        check("replay_fallback=ALL_EVENTS recovers from the invalid ID", replay_ids(messages) == published,
              f"{replay_ids(messages)} != {published}")


async def faults():
    storage = {}
    async with client(replay=storage) as c:
        await c.subscribe(CHANNEL)
        ids = publish(["BEFORE-FORGET"])
        await receive(c, 1)  # the replay storage now holds a marker to resubscribe from
        control("/simulator/faults", {"fault": "forgetClients"})
        ids = publish(["AFTER-FORGET"])
        messages = await receive(c, 1, timeout=20)
        check("after 403::Unknown client the client re-handshakes, resubscribes and gets the event",
              replay_ids(messages) == ids, f"{replay_ids(messages)} != {ids}")
        control("/simulator/faults", {"fault": "dropNextLongPoll"})
        await asyncio.sleep(0.3)
        lost = publish(["LOST"])  # delivered in the dropped reply: lost for this client ID
        await asyncio.sleep(2.5)  # the client reconnects after 1 s
        ids = publish(["AFTER-DROP"])
        messages = await receive(c, 1, timeout=20)
        check("after a dropped long poll the client reconnects and gets later events",
              replay_ids(messages) == ids, f"{replay_ids(messages)} (lost: {lost}) != {ids}")
        control("/simulator/faults", {"fault": "httpError", "status": 500, "count": 1})
        await asyncio.sleep(2.5)  # the held poll ends (poll timeout 2 s); its successor gets the 500
        ids = publish(["AFTER-500"])
        messages = await receive(c, 1, timeout=20)
        check("after an HTTP 500 the client reconnects and gets later events",
              replay_ids(messages) == ids, f"{replay_ids(messages)} != {ids}")


def quiet_cancelled_callbacks(loop, context):
    # aiocometd-ng's TransportBase._connect_done calls task.result() on the long poll it cancels at
    # close; since Python 3.8 CancelledError escapes that callback. Client-side noise: ignore it.
    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)


async def main():
    asyncio.get_running_loop().set_exception_handler(quiet_cancelled_callbacks)
    control("/simulator/channels", {"name": CHANNEL})
    storage = {}
    published = []
    await step("live delivery and stored replay", live_and_stored_replay(storage, published))
    await step("replay -2", replay_all(published))
    await step("invalid replay ID", invalid_replay(published))
    await step("faults", faults())
    stats = control("/simulator/stats", method="GET")
    channel = next(c for c in stats["channels"] if c["name"] == CHANNEL)
    check("simulator stats count the deliveries", channel["delivered"] >= 3 * len(published), json.dumps(channel))


asyncio.run(main())
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
