/// The Bayeux client protocol as a pure value: it takes what happened to the last request and
/// answers with the next step. No I/O, no clock, no randomness, so every rule is unit-testable.
///
/// Requests run one at a time: after an action that sends a request (`handshake`, `subscribe`,
/// `connect`, `reauthenticate`), the next event must describe that request's outcome.
struct BayeuxStateMachine: Sendable {
    /// What the session should do next.
    enum Action: Sendable, Hashable {
        /// Handshake (fetching the endpoint first if none is known).
        case handshake
        /// Subscribe to one channel, from the replay source's position, or from `fallback` when set
        /// (a retry after the server rejected the replay ID as invalid).
        case subscribe(channel: String, fallback: ReplayPosition?)
        /// Wait `delay` (the advised interval), then send `/meta/connect` with this HTTP timeout;
        /// `immediate`: ask the server to answer at once (`advice: {timeout: 0}`).
        case connect(delay: Duration, timeout: Duration, immediate: Bool)
        /// Wait a jittered delay for retry `attempt` (0-based) of ``BackoffPolicy``, then report
        /// ``Event/backoffElapsed``.
        case backoff(attempt: Int)
        /// Ask the authenticator to log in again, then report ``Event/reauthenticated``.
        case reauthenticate
        /// End the session with this error.
        case fail(BayeuxError)
        /// End the session normally.
        case stop
    }

    /// What happened.
    enum Event: Sendable {
        /// Begin: the first event.
        case start
        /// The decoded reply (all messages of the HTTP body) to the request in flight.
        case replies([BayeuxMessage])
        /// The request in flight got a non-2xx HTTP response.
        case httpStatus(Int)
        /// The request in flight got no response (connection error, timeout).
        case transportFailure
        /// The reply to the request in flight was not a Bayeux reply (bad JSON, missing meta reply).
        case malformedReply
        /// The backoff wait ended.
        case backoffElapsed
        /// The authenticator produced a new endpoint.
        case reauthenticated
        /// The authenticator (fetching or renewing the endpoint) threw.
        case authenticatorFailed(fatal: Bool, reason: String)
        /// The owner stops the session.
        case stop
    }

    /// The request whose outcome is awaited.
    enum Request: Sendable, Hashable {
        case handshake, subscribe(String), connect, reauthenticate
    }

    /// A step that may be delayed by a backoff.
    enum Step: Sendable, Hashable {
        case handshake, connect, reauthenticate
    }

    enum Phase: Sendable, Hashable {
        case idle
        case awaiting(Request)
        case backingOff(then: Step)
        case stopped
        case failed(BayeuxError)
    }

    static let defaultAdvice = BayeuxAdvice(reconnect: .retry, interval: 0, timeout: nil)

    let channels: [String]
    let configuration: BayeuxConfiguration
    private(set) var phase: Phase = .idle
    /// The advice in force: a reply without advice keeps it; a handshake reply resets it.
    private(set) var advice: BayeuxAdvice = defaultAdvice
    /// The client ID of the current handshake, if any.
    private(set) var clientID: String?
    /// Hard failures (transport, HTTP, busy, denied...) since the last answered long poll.
    private(set) var hardFailures = 0
    /// Soft recoveries (unknown client, server disconnect, 401...) since the last answered long poll.
    private(set) var softFailures = 0
    /// All failures since the last answered long poll.
    var consecutiveFailures: Int { hardFailures + softFailures }
    private var nextChannelIndex = 0
    private var fallbackChannels: Set<String> = []
    private var firstConnectAfterHandshake = true

    init(channels: [String], configuration: BayeuxConfiguration) {
        var seen = Set<String>()
        self.channels = channels.filter { seen.insert($0).inserted }
        self.configuration = configuration
    }

    /// The HTTP timeout for the next `/meta/connect`: advised long-poll timeout plus margin.
    var connectTimeout: Duration {
        let poll = advice.timeout.map { Duration.milliseconds($0) } ?? configuration.initialTimeout
        return poll + configuration.requestTimeoutMargin
    }

    // MARK: - Transitions

    mutating func handle(_ event: Event) -> Action {
        switch (phase, event) {
        case (.failed(let error), _):
            return .fail(error)
        case (.stopped, _), (_, .stop):
            phase = .stopped
            return .stop
        case (.idle, .start):
            return perform(.handshake)
        case (.backingOff(let step), .backoffElapsed):
            return perform(step)
        case (.awaiting(.reauthenticate), .reauthenticated):
            return perform(.handshake)
        case (.awaiting(let request), .authenticatorFailed(let fatal, let reason))
            where request == .reauthenticate || request == .handshake:
            if fatal { return fail(.authenticationFailed(reason)) }
            return recover(request == .reauthenticate ? .reauthenticate : .handshake, hard: true)
        case (.awaiting(let request), .replies(let messages)):
            return handleReplies(messages, to: request)
        case (.awaiting(let request), .httpStatus(let status)):
            if status == 401 { return recover(.reauthenticate, hard: false) }
            return lost(request)
        case (.awaiting(let request), .transportFailure), (.awaiting(let request), .malformedReply):
            return lost(request)
        default:
            return fail(.protocolViolation("internal: event \(event) unexpected in phase \(phase)"))
        }
    }

    private mutating func perform(_ step: Step) -> Action {
        switch step {
        case .handshake:
            clientID = nil
            phase = .awaiting(.handshake)
            return .handshake
        case .reauthenticate:
            phase = .awaiting(.reauthenticate)
            return .reauthenticate
        case .connect:
            return connect(delay: .zero)
        }
    }

    private mutating func connect(delay: Duration) -> Action {
        phase = .awaiting(.connect)
        let immediate = firstConnectAfterHandshake && configuration.immediateFirstConnect
        return .connect(delay: delay, timeout: connectTimeout, immediate: immediate)
    }

    private mutating func fail(_ error: BayeuxError) -> Action {
        phase = .failed(error)
        return .fail(error)
    }

    /// Recovers with `step`. A hard failure (server busy, transport error...) always backs off;
    /// a soft one (unknown client, server disconnect, 401) acts at once the first time, and backs
    /// off if it repeats before a long poll succeeds, so no rule can spin in a tight loop.
    /// The two kinds count separately: a server that is back after an outage and answers
    /// "unknown client" gets an immediate re-handshake, not the outage's long backoff.
    private mutating func recover(_ step: Step, hard: Bool) -> Action {
        if hard {
            hardFailures += 1
            phase = .backingOff(then: step)
            return .backoff(attempt: hardFailures - 1)
        }
        softFailures += 1
        if softFailures > 1 {
            phase = .backingOff(then: step)
            return .backoff(attempt: softFailures - 1)
        }
        return perform(step)
    }

    /// No usable reply (transport failure, HTTP error, malformed body).
    private mutating func lost(_ request: Request) -> Action {
        switch request {
        case .connect:
            // The lost poll may have carried events the server already dequeued: re-handshake and
            // resubscribe from the replay source so they are delivered again.
            return recover(configuration.rehandshakeAfterLostConnect ? .handshake : .connect, hard: true)
        case .handshake, .subscribe:
            return recover(.handshake, hard: true)
        case .reauthenticate:
            return recover(.reauthenticate, hard: true)
        }
    }

    private mutating func handleReplies(_ messages: [BayeuxMessage], to request: Request) -> Action {
        // A server-sent /meta/disconnect (Salesforce auto-scaling, API >= 64; may lack
        // `successful`) ends this client whatever else the batch says.
        if request != .handshake, messages.contains(where: { $0.channel == "/meta/disconnect" }) {
            if request == .connect { firstConnectAfterHandshake = false }
            return recover(.handshake, hard: false)
        }
        switch request {
        case .handshake:
            guard let reply = messages.first(where: { $0.channel == "/meta/handshake" }) else {
                return lost(request)
            }
            return handleHandshake(reply)
        case .subscribe(let channel):
            let replies = messages.filter { $0.channel == "/meta/subscribe" }
            guard let reply = replies.first(where: { $0.subscription == channel }) ?? replies.first else {
                return lost(request)
            }
            return handleSubscribe(reply, channel: channel)
        case .connect:
            guard let reply = messages.first(where: { $0.channel == "/meta/connect" }) else {
                return lost(request)
            }
            return handleConnect(reply)
        case .reauthenticate:
            return fail(.protocolViolation("internal: replies while re-authenticating"))
        }
    }

    private mutating func handleHandshake(_ reply: BayeuxMessage) -> Action {
        if reply.successful == true, let id = reply.clientId, !id.isEmpty {
            clientID = id
            // A handshake reply without advice resets to the default (retry), never keeping a
            // stale "handshake" advice that would loop (aiocometd#1).
            advice = Self.defaultAdvice.merged(with: reply.advice ?? BayeuxAdvice())
            nextChannelIndex = 0
            fallbackChannels = []
            firstConnectAfterHandshake = true
            return subscribeNextOrConnect()
        }
        if let advice = reply.advice { self.advice = self.advice.merged(with: advice) }
        if reply.successful == true {
            return fail(.protocolViolation("successful handshake reply without clientId"))
        }
        let code = reply.errorCode
        if code == 401 && !Self.isUnknownClient(reply) { return recover(.reauthenticate, hard: false) }
        // Protocol / configuration errors (bad API version, missing parameter, unsupported
        // connection type) cannot succeed on retry.
        if let code, [400, 402, 301].contains(code) {
            return fail(.handshakeFailed(reply.errorSummary))
        }
        // 403::Handshake denied (limits), 503 too busy, anything else: back off and retry.
        return recover(.handshake, hard: true)
    }

    private mutating func subscribeNextOrConnect() -> Action {
        if nextChannelIndex < channels.count {
            let channel = channels[nextChannelIndex]
            phase = .awaiting(.subscribe(channel))
            return .subscribe(channel: channel, fallback: nil)
        }
        return connect(delay: .zero)
    }

    private mutating func handleSubscribe(_ reply: BayeuxMessage, channel: String) -> Action {
        if let advice = reply.advice { self.advice = self.advice.merged(with: advice) }
        if reply.successful == true {
            nextChannelIndex += 1
            return subscribeNextOrConnect()
        }
        if Self.isInvalidReplayID(reply) {
            if let fallback = configuration.invalidReplayFallback, !fallbackChannels.contains(channel) {
                fallbackChannels.insert(channel)
                phase = .awaiting(.subscribe(channel))
                return .subscribe(channel: channel, fallback: fallback)
            }
            return fail(.subscriptionFailed(channel: channel, error: reply.errorSummary))
        }
        if let step = Self.sessionRecovery(for: reply) {
            return recover(step.step, hard: step.hard)
        }
        if reply.advice?.reconnect == .handshake || Self.mentions(reply, "has not completed handshake") {
            return recover(.handshake, hard: false)
        }
        return fail(.subscriptionFailed(channel: channel, error: reply.errorSummary))
    }

    private mutating func handleConnect(_ reply: BayeuxMessage) -> Action {
        if let advice = reply.advice { self.advice = self.advice.merged(with: advice) }
        let wasFirst = firstConnectAfterHandshake
        firstConnectAfterHandshake = false
        if reply.successful == true {
            // An answered long poll proves the session healthy. The first connect after a
            // handshake does not count: it returns at once.
            if !wasFirst {
                hardFailures = 0
                softFailures = 0
            }
            switch advice.reconnect {
            case .handshake?:
                return recover(.handshake, hard: false)
            case .noReconnect?:
                return recover(.handshake, hard: true)
            case .retry?, .other?, nil:
                return connect(delay: .milliseconds(max(0, advice.interval ?? 0)))
            }
        }
        if let step = Self.sessionRecovery(for: reply) {
            return recover(step.step, hard: step.hard)
        }
        switch reply.advice?.reconnect ?? advice.reconnect {
        case .retry?, .other?, nil:
            softFailures += 1
            if softFailures > 1 {
                phase = .backingOff(then: .connect)
                return .backoff(attempt: softFailures - 1)
            }
            return connect(delay: .milliseconds(max(0, advice.interval ?? 0)))
        case .handshake?:
            return recover(.handshake, hard: false)
        case .noReconnect?:
            return recover(.handshake, hard: true)
        }
    }

    /// Recoveries that apply to any failed meta reply, whatever the advice says.
    private static func sessionRecovery(for reply: BayeuxMessage) -> (step: Step, hard: Bool)? {
        // Salesforce `403::Unknown client`, Faye `401:<id>:Unknown client`.
        if isUnknownClient(reply) { return (.handshake, false) }
        switch reply.errorCode {
        case 503?: return (.handshake, true)  // too busy: never an auth failure
        case 401?: return (.reauthenticate, false)
        default: return nil
        }
    }

    static func isUnknownClient(_ reply: BayeuxMessage) -> Bool {
        mentions(reply, "unknown client")
    }

    static func isInvalidReplayID(_ reply: BayeuxMessage) -> Bool {
        [reply.error, reply.failureReason].contains { text in
            guard let text else { return false }
            let lower = text.lowercased()
            return lower.contains("replayid") && lower.contains("invalid")
        }
    }

    private static func mentions(_ reply: BayeuxMessage, _ phrase: String) -> Bool {
        [reply.error, reply.failureReason].contains { $0?.lowercased().contains(phrase) ?? false }
    }
}
