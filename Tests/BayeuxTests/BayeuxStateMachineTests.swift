import Testing
@testable import Bayeux

@Suite("BayeuxStateMachine rules")
struct BayeuxStateMachineTests {
    typealias Machine = BayeuxStateMachine

    static func config(_ edit: (inout BayeuxConfiguration) -> Void = { _ in }) -> BayeuxConfiguration {
        var c = BayeuxConfiguration()
        edit(&c)
        return c
    }

    static func reply(_ channel: String, successful: Bool? = true, clientId: String? = nil, error: String? = nil,
                      advice: BayeuxAdvice? = nil, failureReason: String? = nil, subscription: String? = nil) -> BayeuxMessage
    {
        BayeuxMessage(channel: channel, clientId: clientId, successful: successful, error: error, advice: advice,
                      subscription: subscription,
                      ext: failureReason.map { ["sfdc": ["failureReason": .string($0)]] })
    }

    static let handshakeOK = reply("/meta/handshake", clientId: "c1")
    static let connectOK = reply("/meta/connect")

    /// A machine subscribed to `channels` and past its first (immediate) connect.
    static func connected(_ channels: [String] = ["/topic/A"], config: BayeuxConfiguration = config()) -> Machine {
        var m = Machine(channels: channels, configuration: config)
        _ = m.handle(.start)
        _ = m.handle(.replies([handshakeOK]))
        for c in channels { _ = m.handle(.replies([reply("/meta/subscribe", subscription: c)])) }
        _ = m.handle(.replies([connectOK]))
        return m
    }

    static func isConnect(_ a: Machine.Action) -> Bool {
        if case .connect = a { return true }
        return false
    }

    // MARK: Happy path

    @Test("start handshakes, subscribes one channel per request, then connects immediately")
    func happyPath() {
        var m = Machine(channels: ["/topic/A", "/topic/B", "/topic/A"], configuration: Self.config())
        #expect(m.handle(.start) == .handshake)
        #expect(m.handle(.replies([Self.handshakeOK])) == .subscribe(channel: "/topic/A", fallback: nil))
        #expect(m.clientID == "c1")
        #expect(m.handle(.replies([Self.reply("/meta/subscribe", subscription: "/topic/A")]))
            == .subscribe(channel: "/topic/B", fallback: nil))
        #expect(m.handle(.replies([Self.reply("/meta/subscribe", subscription: "/topic/B")]))
            == .connect(delay: .zero, timeout: .seconds(125), immediate: true))
        #expect(m.handle(.replies([Self.connectOK])) == .connect(delay: .zero, timeout: .seconds(125), immediate: false))
    }

    @Test("the first connect is not immediate when immediateFirstConnect is off")
    func noImmediateConnect() {
        var m = Machine(channels: [], configuration: Self.config { $0.immediateFirstConnect = false })
        _ = m.handle(.start)
        #expect(m.handle(.replies([Self.handshakeOK])) == .connect(delay: .zero, timeout: .seconds(125), immediate: false))
    }

    // MARK: Advice

    @Test("advice timeout sets the connect HTTP timeout and is kept across replies without advice")
    func adviceKept() {
        var m = Self.connected()
        let advised = Self.reply("/meta/connect", advice: BayeuxAdvice(reconnect: .retry, interval: 250, timeout: 20_000))
        #expect(m.handle(.replies([advised])) == .connect(delay: .milliseconds(250), timeout: .seconds(35), immediate: false))
        #expect(m.handle(.replies([Self.connectOK])) == .connect(delay: .milliseconds(250), timeout: .seconds(35), immediate: false))
        #expect(m.advice.timeout == 20_000)
    }

    @Test("a handshake reply without advice resets a stale 'handshake' advice to retry")
    func handshakeResetsAdvice() {
        var m = Self.connected()
        let unknown = Self.reply("/meta/connect", successful: false, error: "403::Unknown client",
                                 advice: BayeuxAdvice(reconnect: .handshake, interval: 0))
        #expect(m.handle(.replies([unknown])) == .handshake)
        #expect(m.advice.reconnect == .handshake)
        _ = m.handle(.replies([Self.handshakeOK]))
        #expect(m.advice.reconnect == .retry)
        _ = m.handle(.replies([Self.reply("/meta/subscribe", subscription: "/topic/A")]))
        // Connect replies without advice now lead to plain reconnects, not handshakes.
        #expect(Self.isConnect(m.handle(.replies([Self.connectOK]))))
        #expect(Self.isConnect(m.handle(.replies([Self.connectOK]))))
    }

    @Test("a successful connect advising 'handshake' re-handshakes")
    func successfulConnectAdvisingHandshake() {
        var m = Self.connected()
        #expect(m.handle(.replies([Self.reply("/meta/connect", advice: BayeuxAdvice(reconnect: .handshake))])) == .handshake)
    }

    @Test("reconnect 'none' without a 401 backs off, then re-handshakes")
    func adviceNoneBacksOff() {
        var m = Self.connected()
        let none = Self.reply("/meta/connect", successful: false, error: "500::Something", advice: BayeuxAdvice(reconnect: .noReconnect))
        #expect(m.handle(.replies([none])) == .backoff(attempt: 0))
        #expect(m.handle(.backoffElapsed) == .handshake)
    }

    @Test("a failed connect advising retry reconnects after the interval, then backs off if it repeats")
    func failedConnectRetry() {
        var m = Self.connected()
        let failure = Self.reply("/meta/connect", successful: false,
                                 error: "400::Client c1 has established a session, but no BAYEUX_BROWSER cookie present",
                                 advice: BayeuxAdvice(reconnect: .retry, interval: 100))
        #expect(m.handle(.replies([failure])) == .connect(delay: .milliseconds(100), timeout: .seconds(125), immediate: false))
        #expect(m.handle(.replies([failure])) == .backoff(attempt: 1))
        #expect(Self.isConnect(m.handle(.backoffElapsed)))
    }

    // MARK: Unknown client / server disconnect

    @Test("Salesforce 403::Unknown client re-handshakes at once and resubscribes every channel")
    func unknownClientSalesforce() {
        var m = Self.connected(["/topic/A", "/event/B__e"])
        let unknown = Self.reply("/meta/connect", successful: false, error: "403::Unknown client",
                                 advice: BayeuxAdvice(reconnect: .handshake, interval: 0))
        #expect(m.handle(.replies([unknown])) == .handshake)
        #expect(m.clientID == nil)
        #expect(m.handle(.replies([Self.reply("/meta/handshake", clientId: "c2")])) == .subscribe(channel: "/topic/A", fallback: nil))
        #expect(m.handle(.replies([Self.reply("/meta/subscribe", subscription: "/topic/A")]))
            == .subscribe(channel: "/event/B__e", fallback: nil))
    }

    @Test("Faye 401:<id>:Unknown client re-handshakes and is not taken for an auth failure")
    func unknownClientFaye() {
        var m = Self.connected()
        let unknown = Self.reply("/meta/connect", successful: false, error: "401:c1:Unknown client",
                                 advice: BayeuxAdvice(reconnect: .handshake))
        #expect(m.handle(.replies([unknown])) == .handshake)
    }

    @Test("Unknown client on a subscribe (Faye, no advice) re-handshakes")
    func unknownClientOnSubscribe() {
        var m = Machine(channels: ["/topic/A"], configuration: Self.config())
        _ = m.handle(.start)
        _ = m.handle(.replies([Self.handshakeOK]))
        let unknown = Self.reply("/meta/subscribe", successful: false, error: "401:c1:Unknown client", subscription: "/topic/A")
        #expect(m.handle(.replies([unknown])) == .handshake)
    }

    @Test("a server-sent /meta/disconnect without 'successful' re-handshakes and resubscribes")
    func serverDisconnect() {
        var m = Self.connected()
        let disconnect = BayeuxMessage(channel: "/meta/disconnect")
        #expect(m.handle(.replies([Self.connectOK, disconnect])) == .handshake)
        #expect(m.handle(.replies([Self.handshakeOK])) == .subscribe(channel: "/topic/A", fallback: nil))
    }

    @Test("a server /meta/disconnect bundled with a 401 connect reply re-handshakes")
    func serverDisconnectWith401() {
        var m = Self.connected()
        let connect401 = Self.reply("/meta/connect", successful: false, error: "401::Authentication invalid")
        #expect(m.handle(.replies([connect401, BayeuxMessage(channel: "/meta/disconnect", successful: true)])) == .handshake)
    }

    @Test("repeated soft recoveries without a successful long poll back off (no tight loop)")
    func repeatedUnknownClientBacksOff() {
        var m = Self.connected()
        let unknown = Self.reply("/meta/connect", successful: false, error: "403::Unknown client",
                                 advice: BayeuxAdvice(reconnect: .handshake))
        #expect(m.handle(.replies([unknown])) == .handshake)
        _ = m.handle(.replies([Self.handshakeOK]))
        _ = m.handle(.replies([Self.reply("/meta/subscribe", subscription: "/topic/A")]))
        // The immediate first connect succeeds, but that proves nothing; the next poll fails again.
        _ = m.handle(.replies([Self.connectOK]))
        #expect(m.handle(.replies([unknown])) == .backoff(attempt: 1))
        #expect(m.handle(.backoffElapsed) == .handshake)
    }

    @Test("after an outage (hard failures), the server's Unknown client re-handshakes at once")
    func unknownClientAfterOutage() {
        var m = Self.connected()
        for attempt in 0..<5 {
            #expect(m.handle(.transportFailure) == .backoff(attempt: attempt))
            _ = m.handle(.backoffElapsed)
        }
        // rehandshakeAfterLostConnect: the retries were handshakes; say this one reached the old
        // client's connect instead (rehandshake off) to model Faye/Salesforce forgetting the client.
        var r = Self.connected(config: Self.config { $0.rehandshakeAfterLostConnect = false })
        for _ in 0..<5 {
            _ = r.handle(.transportFailure)
            _ = r.handle(.backoffElapsed)
        }
        let unknown = Self.reply("/meta/connect", successful: false, error: "401:c1:Unknown client",
                                 advice: BayeuxAdvice(reconnect: .handshake))
        #expect(r.handle(.replies([unknown])) == .handshake)
        // Another outage before a long poll succeeds keeps growing from where it was.
        #expect(r.handle(.transportFailure) == .backoff(attempt: 5))
    }

    // MARK: Authentication

    @Test("connect 401::Authentication invalid with advice none re-authenticates, then handshakes")
    func connect401() {
        var m = Self.connected()
        let denied = Self.reply("/meta/connect", successful: false, error: "401::Authentication invalid",
                                advice: BayeuxAdvice(reconnect: .noReconnect, interval: 0))
        #expect(m.handle(.replies([denied])) == .reauthenticate)
        #expect(m.handle(.reauthenticated) == .handshake)
    }

    @Test("403::Handshake denied with failureReason 401 re-authenticates")
    func handshakeDeniedAuth() {
        var m = Machine(channels: ["/topic/A"], configuration: Self.config())
        _ = m.handle(.start)
        let denied = Self.reply("/meta/handshake", successful: false, error: "403::Handshake denied",
                                advice: BayeuxAdvice(reconnect: .noReconnect), failureReason: "401::Authentication invalid")
        #expect(m.handle(.replies([denied])) == .reauthenticate)
    }

    @Test("HTTP 401 re-authenticates then handshakes")
    func http401() {
        var m = Self.connected()
        #expect(m.handle(.httpStatus(401)) == .reauthenticate)
        #expect(m.handle(.reauthenticated) == .handshake)
    }

    @Test("a non-fatal authenticator failure backs off and retries; a fatal one fails")
    func authenticatorFailures() {
        var m = Self.connected()
        _ = m.handle(.httpStatus(401))
        #expect(m.handle(.authenticatorFailed(fatal: false, reason: "timeout")) == .backoff(attempt: 0))
        #expect(m.handle(.backoffElapsed) == .reauthenticate)
        #expect(m.handle(.authenticatorFailed(fatal: true, reason: "wrong password"))
            == .fail(.authenticationFailed("wrong password")))
        #expect(m.handle(.backoffElapsed) == .fail(.authenticationFailed("wrong password")))
    }

    @Test("a failing endpoint fetch during handshake backs off and handshakes again")
    func endpointFailure() {
        var m = Machine(channels: [], configuration: Self.config())
        _ = m.handle(.start)
        #expect(m.handle(.authenticatorFailed(fatal: false, reason: "dns")) == .backoff(attempt: 0))
        #expect(m.handle(.backoffElapsed) == .handshake)
    }

    // MARK: Busy / limits / transport

    @Test("failureReason 503 too busy backs off and is not treated as an auth failure")
    func tooBusy() {
        var m = Self.connected()
        let busy = Self.reply("/meta/connect", successful: false, error: "401::Authentication invalid",
                              advice: BayeuxAdvice(reconnect: .noReconnect),
                              failureReason: "503::Server is too busy. Please try your request again later.")
        #expect(m.handle(.replies([busy])) == .backoff(attempt: 0))
        #expect(m.handle(.backoffElapsed) == .handshake)
    }

    @Test("403::Handshake denied for the connection limit backs off with growing attempts until success")
    func handshakeDeniedLimit() {
        var m = Machine(channels: [], configuration: Self.config())
        _ = m.handle(.start)
        let denied = Self.reply("/meta/handshake", successful: false, error: "403::Handshake denied",
                                advice: BayeuxAdvice(reconnect: .noReconnect),
                                failureReason: "403::To protect all customers from excessive use and Denial of Service attacks, we limit the number of simultaneous connections per server.")
        for attempt in 0..<4 {
            #expect(m.handle(.replies([denied])) == .backoff(attempt: attempt))
            #expect(m.handle(.backoffElapsed) == .handshake)
        }
        // Success resets the counter once a long poll is answered.
        _ = m.handle(.replies([Self.handshakeOK]))
        _ = m.handle(.replies([Self.connectOK]))
        _ = m.handle(.replies([Self.connectOK]))
        #expect(m.consecutiveFailures == 0)
        #expect(m.handle(.transportFailure) == .backoff(attempt: 0))
    }

    @Test("a handshake refused for a protocol/configuration reason fails the session")
    func handshakeFatal() {
        var m = Machine(channels: [], configuration: Self.config())
        _ = m.handle(.start)
        let bad = Self.reply("/meta/handshake", successful: false,
                             error: "400::API version in the URI is mandatory. URI format: '/cometd/67.0'")
        #expect(m.handle(.replies([bad]))
            == .fail(.handshakeFailed("400::API version in the URI is mandatory. URI format: '/cometd/67.0'")))
    }

    @Test("HTTP 5xx, transport failure and malformed reply of a connect back off, then re-handshake")
    func lostConnectRehandshakes() {
        for event in [Machine.Event.httpStatus(503), .transportFailure, .malformedReply] {
            var m = Self.connected()
            #expect(m.handle(event) == .backoff(attempt: 0))
            #expect(m.handle(.backoffElapsed) == .handshake)
        }
    }

    @Test("with rehandshakeAfterLostConnect off, a lost connect backs off, then connects again")
    func lostConnectReconnects() {
        var m = Self.connected(config: Self.config { $0.rehandshakeAfterLostConnect = false })
        #expect(m.handle(.transportFailure) == .backoff(attempt: 0))
        #expect(Self.isConnect(m.handle(.backoffElapsed)))
    }

    @Test("a connect reply batch without the /meta/connect reply counts as lost")
    func missingMetaReply() {
        var m = Self.connected()
        #expect(m.handle(.replies([BayeuxMessage(channel: "/topic/A", data: ["x": 1])])) == .backoff(attempt: 0))
    }

    @Test("transport failures during handshake back off with growing attempts")
    func handshakeTransportFailures() {
        var m = Machine(channels: [], configuration: Self.config())
        _ = m.handle(.start)
        for attempt in 0..<3 {
            #expect(m.handle(.transportFailure) == .backoff(attempt: attempt))
            #expect(m.handle(.backoffElapsed) == .handshake)
        }
    }

    // MARK: Subscriptions

    @Test("a subscribe refused for a permission reason fails with subscriptionFailed")
    func subscribeFatal() {
        var m = Machine(channels: ["/topic/A"], configuration: Self.config())
        _ = m.handle(.start)
        _ = m.handle(.replies([Self.handshakeOK]))
        let refused = Self.reply("/meta/subscribe", successful: false, error: "403::Restricted channel", subscription: "/topic/A")
        #expect(m.handle(.replies([refused])) == .fail(.subscriptionFailed(channel: "/topic/A", error: "403::Restricted channel")))
    }

    static let invalidReplay = reply(
        "/meta/subscribe", successful: false,
        error: "400::The replayId {1553783} you provided was invalid. Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.",
        subscription: "/topic/A")

    @Test("an invalid replay ID resubscribes that channel once from the fallback")
    func invalidReplayFallback() {
        var m = Machine(channels: ["/topic/A"], configuration: Self.config { $0.invalidReplayFallback = .newEvents })
        _ = m.handle(.start)
        _ = m.handle(.replies([Self.handshakeOK]))
        #expect(m.handle(.replies([Self.invalidReplay])) == .subscribe(channel: "/topic/A", fallback: .newEvents))
        #expect(m.handle(.replies([Self.invalidReplay])) == .fail(.subscriptionFailed(
            channel: "/topic/A", error: Self.invalidReplay.error!)))
    }

    @Test("an invalid replay ID without a fallback fails the session")
    func invalidReplayNoFallback() {
        var m = Machine(channels: ["/topic/A"], configuration: Self.config())
        _ = m.handle(.start)
        _ = m.handle(.replies([Self.handshakeOK]))
        #expect(m.handle(.replies([Self.invalidReplay])) == .fail(.subscriptionFailed(
            channel: "/topic/A", error: Self.invalidReplay.error!)))
    }

    @Test("a subscribe failing with 401 re-authenticates instead of failing")
    func subscribe401() {
        var m = Machine(channels: ["/topic/A"], configuration: Self.config())
        _ = m.handle(.start)
        _ = m.handle(.replies([Self.handshakeOK]))
        let denied = Self.reply("/meta/subscribe", successful: false, error: "401::Authentication invalid", subscription: "/topic/A")
        #expect(m.handle(.replies([denied])) == .reauthenticate)
    }

    // MARK: Stop

    @Test("stop ends the machine; later events keep answering stop")
    func stop() {
        var m = Self.connected()
        #expect(m.handle(.stop) == .stop)
        #expect(m.handle(.replies([Self.connectOK])) == .stop)
        #expect(m.handle(.transportFailure) == .stop)
    }
}
