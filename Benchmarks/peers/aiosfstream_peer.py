"""aiosfstream-ng 0.7.5 (aiocometd-ng 0.5.6) as a benchmark client.

Used as published; this driver only adapts the environment (reference §6):
- its token URL is the module constant `aiosfstream_ng.auth.TOKEN_URL`: pointed at the simulator;
- aiohttp's cookie jar ignores IP-address hosts: the simulator is reached as `localhost`;
- aiocometd-ng's watchdog calls `asyncio.wait_for(loop=...)`, gone since Python 3.10:
  `connection_timeout=0` turns it off.
- It has no Redis replay storage of its own: `RedisReplayStorage` below keeps the markers in Redis
  (redis-py 2.10, as nameko-salesforce uses; one SET with TTL per event, the stored marker cached
  after the first read), the same work per event as nameko-salesforce's replay persistence.
"""
import asyncio
import json
import signal
import time

import aiosfstream_ng.auth as sf_auth

import peer_common

args = peer_common.parse_args("aiosfstream")
sf_auth.TOKEN_URL = args.login_url.rstrip("/") + "/services/oauth2/token"

from aiosfstream_ng import ReplayMarker, SalesforceStreamingClient  # noqa: E402
from aiosfstream_ng.replay import ReplayMarkerStorage  # noqa: E402

REC = peer_common.Recorder(args.after_replay_id)


class RedisReplayStorage(ReplayMarkerStorage):
    def __init__(self, uri, ttl=43200):
        super().__init__()
        import redis
        self.redis = redis.StrictRedis.from_url(uri)
        self.ttl = ttl
        self.cache = {}

    async def get_replay_marker(self, subscription):
        if subscription not in self.cache:
            raw = self.redis.get("aiosfstream:replay:" + subscription)
            self.cache[subscription] = ReplayMarker(*json.loads(raw)) if raw else None
        return self.cache[subscription]

    async def set_replay_marker(self, subscription, marker):
        self.cache[subscription] = marker
        self.redis.set("aiosfstream:replay:" + subscription, json.dumps(list(marker)), ex=self.ttl)


async def main():
    replay = RedisReplayStorage(args.redis_uri) if args.redis_uri else None
    kwargs = {"replay": replay} if replay else {}
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signo in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signo, stop.set)
    async with SalesforceStreamingClient(
            consumer_key="demo-consumer-key", consumer_secret="demo-consumer-secret",
            username=args.username, password=args.password + args.security_token,
            connection_timeout=0, **kwargs) as client:
        await client.subscribe(peer_common.CHANNEL)

        async def consume():
            async for message in client:
                data = message["data"]
                REC.record(data["event"]["replayId"], data.get("sobject", {}).get("Name"))

        consumer = asyncio.create_task(consume())
        started = time.time_ns()
        while not REC.done(args.expect, started, args.idle_timeout):
            await asyncio.sleep(0.02)  # arrival times come from the handler
        peer_common.say("RESULT " + json.dumps(REC.result("aiosfstream", args.expect)))
        await stop.wait()
        consumer.cancel()
    peer_common.say("STOPPED")


asyncio.run(main())
