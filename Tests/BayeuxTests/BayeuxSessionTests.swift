import Foundation
import HTTPTransport
import Logging
import TestSupport
import Testing
@testable import Bayeux

@Suite("BayeuxSession against a scripted server", .timeLimit(.minutes(1)))
struct BayeuxSessionTests {
    struct Harness {
        let client: ScriptedHTTPClient
        let auth: CountingAuthenticator
        let replay: MapReplaySource
        let sleeps: SleepRecorder
        let session: BayeuxSession
    }

    static func harness(_ script: [ScriptedHTTPClient.Reply], replay: [String: ReplayPosition] = [:],
                        auth: CountingAuthenticator = CountingAuthenticator(),
                        sleep: (@Sendable (Duration) async throws -> Void)? = nil,
                        configure: (inout BayeuxConfiguration) -> Void = { _ in }) -> Harness
    {
        var config = BayeuxConfiguration()
        config.backoff = BackoffPolicy(random: { 1 })
        configure(&config)
        let client = ScriptedHTTPClient(script)
        let source = MapReplaySource(replay)
        let sleeps = SleepRecorder()
        var logger = Logger(label: "bayeux-test")
        logger.logLevel = .critical
        let session = BayeuxSession(configuration: config, transport: client, authenticator: auth, replay: source,
                                    logger: logger, sleep: sleep ?? sleeps.function)
        return Harness(client: client, auth: auth, replay: source, sleeps: sleeps, session: session)
    }

    static func replayIDs(_ events: [BayeuxMessage]) -> [Int64?] {
        events.map { $0.replayID?.value.intValue }
    }

    // MARK: Happy path

    @Test("handshake, one subscribe per channel with the source's replay position, connect, events in order")
    func happyPath() async throws {
        let h = Self.harness([
            Server.handshake(),
            Server.subscribed("/topic/A"), Server.subscribed("/topic/B"), Server.subscribed("/topic/C"),
            Server.connected(advice: ["reconnect": "retry", "interval": 0, "timeout": 110_000],
                             events: [Server.event("/topic/A", replayID: 43), Server.event("/topic/B", replayID: 8)]),
            Server.connected(events: [Server.event("/topic/C", replayID: 1)]),
        ], replay: ["/topic/B": .allRetained, "/topic/C": .after(ReplayID(.int(42)))])
        var events = h.session.messages(subscribingTo: ["/topic/A", "/topic/B", "/topic/C"]).makeAsyncIterator()
        var received: [BayeuxMessage] = []
        for _ in 0..<3 { received.append(try #require(try await events.next())) }
        #expect(Self.replayIDs(received) == [43, 8, 1])
        #expect(received.map(\.channel) == ["/topic/A", "/topic/B", "/topic/C"])

        let messages = await h.client.messages
        #expect(await h.client.channels == ["/meta/handshake", "/meta/subscribe", "/meta/subscribe", "/meta/subscribe",
                                            "/meta/connect", "/meta/connect"])
        #expect(messages[0]["ext"] == ["replay": true])
        #expect(messages[0]["supportedConnectionTypes"] == ["long-polling"])
        #expect(messages[0]["version"] == "1.0")
        #expect(messages[1]["subscription"] == "/topic/A" && messages[1]["ext"] == ["replay": ["/topic/A": -1]])
        #expect(messages[2]["ext"] == ["replay": ["/topic/B": -2]])
        #expect(messages[3]["ext"] == ["replay": ["/topic/C": 42]])
        #expect(messages[1]["clientId"] == "client-1")
        #expect(messages[4]["connectionType"] == "long-polling" && messages[4]["advice"] == ["timeout": 0])
        #expect(messages[5]["advice"] == nil)

        let requests = await h.client.requests
        for r in requests {
            #expect(r.method == .post)
            #expect(r.header("Content-Type") == "application/json")
            #expect(r.header("Authorization") == "Bearer token-1")
            #expect((try? JSONValue(parsing: r.body ?? Data()))?.arrayValue?.count == 1)
        }
        #expect(requests[1].timeout == .seconds(30))
        #expect(requests[5].timeout == .seconds(125))
        #expect(await h.session.clientID == "client-1")
        let stats = await h.session.statistics
        #expect(stats.handshakes == 1 && stats.subscribes == 3 && stats.connects == 2 && stats.eventsReceived == 3)
        await h.session.stop()
    }

    @Test("advice timeout is kept across connect replies without advice (connect HTTP timeout = advice + margin)")
    func adviceKept() async throws {
        let h = Self.harness([
            Server.handshake(),
            Server.connected(advice: ["reconnect": "retry", "interval": 0, "timeout": 20_000]),
            Server.connected(),
            Server.connected(events: [Server.event("/topic/A", replayID: 1)]),
        ])
        var events = h.session.messages(subscribingTo: []).makeAsyncIterator()
        _ = try await events.next()
        let timeouts = await h.client.requests.map(\.timeout)
        #expect(timeouts == [.seconds(30), .seconds(125), .seconds(35), .seconds(35)])
        await h.session.stop()
    }

    // MARK: Recovery

    @Test("403::Unknown client re-handshakes and resubscribes, asking the replay source again")
    func unknownClient() async throws {
        let h = Self.harness([
            Server.handshake("c1"), Server.subscribed("/topic/A"),
            Server.connected(events: [Server.event("/topic/A", replayID: 5)]),
            Server.failed("/meta/connect", error: "403::Unknown client", advice: ["interval": 0, "reconnect": "handshake"]),
            Server.handshake("c2"), Server.subscribed("/topic/A"),
            Server.connected(events: [Server.event("/topic/A", replayID: 6)]),
        ])
        var events = h.session.messages(subscribingTo: ["/topic/A"]).makeAsyncIterator()
        #expect(try await events.next()?.replayID == ReplayID(.int(5)))
        await h.replay.set("/topic/A", .after(ReplayID(.int(5))))
        #expect(try await events.next()?.replayID == ReplayID(.int(6)))
        let messages = await h.client.messages
        #expect(messages.map { $0["channel"]?.stringValue } == ["/meta/handshake", "/meta/subscribe", "/meta/connect",
                                                                "/meta/connect", "/meta/handshake", "/meta/subscribe",
                                                                "/meta/connect"])
        #expect(messages[1]["ext"] == ["replay": ["/topic/A": -1]])
        #expect(messages[5]["ext"] == ["replay": ["/topic/A": 5]])
        #expect(messages[5]["clientId"] == "c2")
        #expect(await h.replay.asked == ["/topic/A", "/topic/A"])
        #expect(await h.sleeps.durations.isEmpty)
        #expect(await h.auth.reauthenticateCalls == 0)
        await h.session.stop()
    }

    @Test("a server-sent /meta/disconnect re-handshakes and resubscribes")
    func serverDisconnect() async throws {
        let h = Self.harness([
            Server.handshake("c1"), Server.subscribed("/topic/A"),
            .json([["channel": "/meta/connect", "successful": true], ["channel": "/meta/disconnect"]]),
            Server.handshake("c2"), Server.subscribed("/topic/A"),
            Server.connected(events: [Server.event("/topic/A", replayID: 9)]),
        ])
        var events = h.session.messages(subscribingTo: ["/topic/A"]).makeAsyncIterator()
        #expect(try await events.next()?.replayID == ReplayID(.int(9)))
        #expect(await h.client.channels == ["/meta/handshake", "/meta/subscribe", "/meta/connect",
                                            "/meta/handshake", "/meta/subscribe", "/meta/connect"])
        #expect(await h.replay.asked.count == 2)
        await h.session.stop()
    }

    @Test("HTTP 401 calls reauthenticate, then handshakes with the new credentials")
    func http401() async throws {
        let h = Self.harness([
            Server.handshake(), Server.connected(),
            .status(401, "unauthorized"),
            Server.handshake("c2"), Server.connected(events: [Server.event("/topic/A", replayID: 1)]),
        ])
        var events = h.session.messages(subscribingTo: []).makeAsyncIterator()
        _ = try await events.next()
        #expect(await h.auth.reauthenticateCalls == 1)
        let requests = await h.client.requests
        #expect(requests.map { $0.header("Authorization") } == ["Bearer token-1", "Bearer token-1", "Bearer token-1",
                                                                "Bearer token-2", "Bearer token-2"])
        #expect(await h.client.channels[3] == "/meta/handshake")
        #expect(await h.session.statistics.reauthentications == 1)
        await h.session.stop()
    }

    @Test("connect 401::Authentication invalid (advice none) re-authenticates")
    func bayeux401() async throws {
        let h = Self.harness([
            Server.handshake(), Server.connected(),
            Server.failed("/meta/connect", error: "401::Authentication invalid", advice: ["reconnect": "none", "interval": 0]),
            Server.handshake("c2"), Server.connected(events: [Server.event("/topic/A", replayID: 1)]),
        ])
        var events = h.session.messages(subscribingTo: []).makeAsyncIterator()
        _ = try await events.next()
        #expect(await h.auth.reauthenticateCalls == 1)
        await h.session.stop()
    }

    @Test("5xx and transport errors back off with growing, bounded delays")
    func backoffGrowsBounded() async throws {
        var script: [ScriptedHTTPClient.Reply] = []
        for i in 0..<8 {
            script.append(i.isMultiple(of: 2) ? .status(503, "busy") : .failure(.connectionFailed("refused")))
        }
        script += [Server.handshake(), Server.connected(events: [Server.event("/topic/A", replayID: 1)])]
        let h = Self.harness(script)
        var events = h.session.messages(subscribingTo: []).makeAsyncIterator()
        _ = try await events.next()
        #expect(await h.sleeps.durations == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8),
                                             .seconds(16), .seconds(30), .seconds(30)])
        let stats = await h.session.statistics
        #expect(stats.backoffs == 8 && stats.transportFailures == 4 && stats.httpErrors == 4 && stats.handshakes == 9)
        await h.session.stop()
    }

    @Test("a lost connect re-handshakes and resubscribes from the replay source, so the lost batch is replayed")
    func lostConnectRehandshakes() async throws {
        let h = Self.harness([
            Server.handshake("c1"), Server.subscribed("/topic/A"), Server.connected(),
            .failure(.connectionLost("reset by peer")),
            Server.handshake("c2"), Server.subscribed("/topic/A"),
            Server.connected(events: [Server.event("/topic/A", replayID: 3)]),
        ], replay: ["/topic/A": .after(ReplayID(.int(2)))])
        var events = h.session.messages(subscribingTo: ["/topic/A"]).makeAsyncIterator()
        #expect(try await events.next()?.replayID == ReplayID(.int(3)))
        #expect(await h.client.channels == ["/meta/handshake", "/meta/subscribe", "/meta/connect", "/meta/connect",
                                            "/meta/handshake", "/meta/subscribe", "/meta/connect"])
        #expect(await h.client.messages[5]["ext"] == ["replay": ["/topic/A": 2]])
        #expect(await h.sleeps.durations == [.milliseconds(500)])
        await h.session.stop()
    }

    @Test("without rehandshakeAfterLostConnect a lost connect just connects again")
    func lostConnectReconnects() async throws {
        let h = Self.harness([
            Server.handshake(), Server.connected(),
            .failure(.timedOut),
            Server.connected(events: [Server.event("/topic/A", replayID: 3)]),
        ], configure: { $0.rehandshakeAfterLostConnect = false })
        var events = h.session.messages(subscribingTo: []).makeAsyncIterator()
        _ = try await events.next()
        #expect(await h.client.channels == ["/meta/handshake", "/meta/connect", "/meta/connect", "/meta/connect"])
        await h.session.stop()
    }

    @Test("an invalid replay ID resubscribes from the fallback, counted in statistics")
    func invalidReplayFallback() async throws {
        let h = Self.harness([
            Server.handshake(),
            Server.failed("/meta/subscribe",
                          error: "400::The replayId {77} you provided was invalid. Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.",
                          subscription: "/topic/A"),
            Server.subscribed("/topic/A"),
            Server.connected(events: [Server.event("/topic/A", replayID: 100)]),
        ], replay: ["/topic/A": .after(ReplayID(.int(77)))], configure: { $0.invalidReplayFallback = .newEvents })
        var events = h.session.messages(subscribingTo: ["/topic/A"]).makeAsyncIterator()
        #expect(try await events.next()?.replayID == ReplayID(.int(100)))
        let messages = await h.client.messages
        #expect(messages[1]["ext"] == ["replay": ["/topic/A": 77]])
        #expect(messages[2]["ext"] == ["replay": ["/topic/A": -1]])
        #expect(await h.session.statistics.invalidReplayFallbacks == 1)
        await h.session.stop()
    }

    @Test("an invalid replay ID without fallback ends the stream with subscriptionFailed")
    func invalidReplayFails() async throws {
        let h = Self.harness([
            Server.handshake(),
            Server.failed("/meta/subscribe", error: "400::The replayId {77} you provided was invalid.", subscription: "/topic/A"),
        ])
        var events = h.session.messages(subscribingTo: ["/topic/A"]).makeAsyncIterator()
        await #expect(throws: BayeuxError.subscriptionFailed(channel: "/topic/A",
                                                             error: "400::The replayId {77} you provided was invalid.")) {
            _ = try await events.next()
        }
    }

    @Test("a malformed JSON reply is recovered from (backoff, re-handshake)")
    func malformedReply() async throws {
        let h = Self.harness([
            Server.handshake(), Server.connected(),
            .status(200, "<html>proxy error</html>"),
            Server.handshake(), Server.connected(events: [Server.event("/topic/A", replayID: 1)]),
        ])
        var events = h.session.messages(subscribingTo: []).makeAsyncIterator()
        #expect(try await events.next()?.replayID == ReplayID(.int(1)))
        #expect(await h.session.statistics.malformedReplies == 1)
        #expect(await h.sleeps.durations.count == 1)
    }

    // MARK: Stop, backpressure, fatal errors

    @Test("stop() during a long poll aborts it at once, ends the stream and sends a disconnect")
    func stopDuringLongPoll() async throws {
        let h = Self.harness([Server.handshake("c9"), Server.connected(), .hang, Server.connected()])
        let stream = h.session.messages(subscribingTo: [])
        let consumer = Task {
            var count = 0
            for try await _ in stream { count += 1 }
            return count
        }
        await h.client.waitForRequests(3)
        #expect(await h.client.requestCount == 3)
        await h.session.stop()
        #expect(try await value(of: consumer, within: .seconds(10)) == 0)
        let messages = await h.client.messages
        #expect(messages.last?["channel"] == "/meta/disconnect")
        #expect(messages.last?["clientId"] == "c9")
        #expect(await h.client.requests.last?.timeout == .seconds(2))
    }

    @Test("stop() during a backoff wait ends the stream at once")
    func stopDuringBackoff() async throws {
        let waits = BlockingSleep()
        let h = Self.harness([.failure(.connectionFailed("refused"))], sleep: waits.function)
        let stream = h.session.messages(subscribingTo: [])
        let consumer = Task {
            var count = 0
            for try await _ in stream { count += 1 }
            return count
        }
        await waits.waitUntilSleeping()
        await h.session.stop()
        #expect(try await value(of: consumer, within: .seconds(10)) == 0)
        #expect(await h.client.requestCount == 1)
        #expect(await h.session.statistics.backoffs == 1)
    }

    @Test("cancelling the consuming task aborts the long poll and finishes the stream")
    func consumerCancellation() async throws {
        let h = Self.harness([Server.handshake(), Server.connected()])
        let stream = h.session.messages(subscribingTo: [])
        let consumer = Task {
            var count = 0
            for try await _ in stream { count += 1 }
            return count
        }
        await h.client.waitForRequests(3)
        consumer.cancel()
        #expect(try await value(of: consumer, within: .seconds(10)) == 0)
        #expect(await h.client.requestCount == 3)
    }

    @Test("the advised interval is waited before the next connect")
    func adviceInterval() async throws {
        let h = Self.harness([
            Server.handshake(),
            Server.connected(advice: ["reconnect": "retry", "interval": 2000, "timeout": 110_000]),
            Server.connected(events: [Server.event("/topic/A", replayID: 1)]),
        ])
        var events = h.session.messages(subscribingTo: []).makeAsyncIterator()
        _ = try await events.next()
        #expect(await h.sleeps.durations == [.seconds(2)])
        await h.session.stop()
    }

    @Test("a consumer that stops pulling causes no further connect requests (backpressure)")
    func backpressure() async throws {
        let h = Self.harness([
            Server.handshake(),
            Server.connected(events: [Server.event("/topic/A", replayID: 1), Server.event("/topic/A", replayID: 2)]),
            Server.connected(events: [Server.event("/topic/A", replayID: 3)]),
        ])
        var events = h.session.messages(subscribingTo: []).makeAsyncIterator()
        #expect(try await events.next()?.replayID == ReplayID(.int(1)))
        #expect(await h.client.requestCount == 2)
        for _ in 0..<50 { await Task.yield() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(await h.client.requestCount == 2)
        #expect(try await events.next()?.replayID == ReplayID(.int(2)))
        #expect(await h.client.requestCount == 2)
        #expect(try await events.next()?.replayID == ReplayID(.int(3)))
        #expect(await h.client.requestCount == 3)
        await h.session.stop()
    }

    @Test("messageBatches yields each reply's events as one batch, in order, and reads at most two replies ahead")
    func batchesReadTwoRepliesAhead() async throws {
        let h = Self.harness([
            Server.handshake(),
            Server.connected(events: [Server.event("/topic/A", replayID: 1), Server.event("/topic/B", replayID: 2)]),
            Server.connected(events: [Server.event("/topic/A", replayID: 3)]),
            Server.connected(events: [Server.event("/topic/A", replayID: 4)]),
            Server.connected(events: [Server.event("/topic/A", replayID: 5)]),
        ])
        var batches = h.session.messageBatches(subscribingTo: []).makeAsyncIterator()
        let first = try #require(try await batches.next())
        #expect(Self.replayIDs(first) == [1, 2])
        #expect(first.allSatisfy { $0.clientId == "client-1" }, "events are stamped with the receiving client")
        // Taking the batch started the next long poll, and the one after it once that one was
        // answered, without waiting for the consumer; then nothing while two replies wait.
        await h.client.waitForRequests(4)
        for _ in 0..<50 { await Task.yield() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(await h.client.requestCount == 4)
        #expect(Self.replayIDs(try #require(try await batches.next())) == [3], "one reply per batch, not the two buffered")
        await h.client.waitForRequests(5)
        #expect(Self.replayIDs(try #require(try await batches.next())) == [4])
        #expect(Self.replayIDs(try #require(try await batches.next())) == [5])
        await h.client.waitForRequests(6)
        #expect(await h.session.statistics.connects == 5, "the read-ahead after the last batch hangs")
        await h.session.stop()
        #expect(try await batches.next() == nil)
    }

    @Test("a consumer waiting on the read-ahead gets a reply's events as soon as they are read, while the read-ahead goes on",
          .timeLimit(.minutes(1)))
    func waitingConsumerGetsEventsWhileTheReadAheadGoesOn() async throws {
        let h = Self.harness([
            Server.handshake(),
            Server.connected(events: [Server.event("/topic/A", replayID: 1)]),
            Server.connected(),  // no events: the read-ahead goes on while the consumer waits
            Server.connected(events: [Server.event("/topic/A", replayID: 2)]),
        ])
        var batches = h.session.messageBatches(subscribingTo: []).makeAsyncIterator()
        #expect(Self.replayIDs(try #require(try await batches.next())) == [1])
        // The read-ahead's long poll after the reply with event 2 hangs (the script is out of
        // replies): the consumer must not wait for it.
        #expect(Self.replayIDs(try #require(try await batches.next())) == [2])
        await h.client.waitForRequests(5)
        await h.session.stop()
        #expect(try await batches.next() == nil)
    }

    @Test("the connect reply may come before, after or between a reply's events: the events keep their order, stamped, the reply is still read")
    func metaReplyAnywhereInAReply() async throws {
        let connect: JSONValue = ["channel": "/meta/connect", "successful": true]
        let h = Self.harness([
            Server.handshake(),
            .json([Server.event("/topic/A", replayID: 1), Server.event("/topic/A", replayID: 2), connect]),
            .json([Server.event("/topic/A", replayID: 3), connect, Server.event("/topic/A", replayID: 4)]),
            .json([connect, Server.event("/topic/A", replayID: 5), Server.event("/topic/A", replayID: 6)]),
        ])
        var batches = h.session.messageBatches(subscribingTo: []).makeAsyncIterator()
        var received: [[BayeuxMessage]] = []
        for _ in 0..<3 { received.append(try #require(try await batches.next())) }
        #expect(received.map(Self.replayIDs) == [[1, 2], [3, 4], [5, 6]])
        #expect(received.joined().allSatisfy { $0.channel == "/topic/A" && $0.clientId == "client-1" })
        #expect(await h.session.statistics.eventsReceived == 6)
        await h.session.stop()
    }

    @Test("stop() while a read-ahead long poll hangs ends the batch stream at once")
    func stopDuringReadAhead() async throws {
        let h = Self.harness([Server.handshake(), Server.connected(events: [Server.event("/topic/A", replayID: 1)])])
        let stream = h.session.messageBatches(subscribingTo: [])
        let consumer = Task {
            var count = 0
            for try await batch in stream { count += batch.count }
            return count
        }
        await h.client.waitForRequests(3)
        await h.session.stop()
        #expect(try await value(of: consumer, within: .seconds(10)) == 1)
        #expect(await h.client.messages.last?["channel"] == "/meta/disconnect")
    }

    @Test("a BayeuxFatalError from the authenticator ends the stream with that error")
    func fatalAuthenticatorError() async throws {
        let h = Self.harness([], auth: CountingAuthenticator(endpointErrors: [WrongPassword()]))
        var events = h.session.messages(subscribingTo: ["/topic/A"]).makeAsyncIterator()
        await #expect(throws: WrongPassword()) { _ = try await events.next() }
        #expect(await h.client.requestCount == 0)
    }

    @Test("other authenticator errors are retried with backoff")
    func transientAuthenticatorError() async throws {
        let h = Self.harness([Server.handshake(), Server.connected(events: [Server.event("/topic/A", replayID: 1)])],
                             auth: CountingAuthenticator(endpointErrors: [TemporaryLoginFailure(), TemporaryLoginFailure()]))
        var events = h.session.messages(subscribingTo: []).makeAsyncIterator()
        _ = try await events.next()
        #expect(await h.auth.endpointCalls == 3)
        #expect(await h.sleeps.durations == [.milliseconds(500), .seconds(1)])
        await h.session.stop()
    }

    @Test("a request larger than maxRequestBytes is refused, not sent")
    func requestTooLarge() async throws {
        let h = Self.harness([Server.handshake()], configure: { $0.maxRequestBytes = 300 })
        var events = h.session.messages(subscribingTo: ["/topic/" + String(repeating: "x", count: 400)]).makeAsyncIterator()
        await #expect(throws: BayeuxError.self) { _ = try await events.next() }
        #expect(await h.client.channels == ["/meta/handshake"])
    }

    @Test("a second stream from the same session throws alreadyStarted")
    func secondStream() async throws {
        let h = Self.harness([Server.handshake(), Server.connected(events: [Server.event("/topic/A", replayID: 1)])])
        var first = h.session.messages(subscribingTo: []).makeAsyncIterator()
        #expect(try await first.next() != nil)
        var second = h.session.messages(subscribingTo: []).makeAsyncIterator()
        await #expect(throws: BayeuxError.alreadyStarted) { _ = try await second.next() }
        await h.session.stop()
    }

    @Test("replay off sends no ext on handshake or subscribe")
    func replayOff() async throws {
        let h = Self.harness([Server.handshake(), Server.subscribed("/topic/A"),
                              Server.connected(events: [Server.event("/topic/A", replayID: 1)])],
                             configure: { $0.replay = false })
        var events = h.session.messages(subscribingTo: ["/topic/A"]).makeAsyncIterator()
        _ = try await events.next()
        let messages = await h.client.messages
        #expect(messages[0]["ext"] == nil && messages[1]["ext"] == nil)
        #expect(await h.replay.asked.isEmpty)
        await h.session.stop()
    }
}
