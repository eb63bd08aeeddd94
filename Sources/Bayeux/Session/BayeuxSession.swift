#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTransport
import Logging
import Metrics

/// A Bayeux (CometD) long-polling client session: handshake, one subscribe per channel, then
/// `/meta/connect` long polls, recovering from every transient failure the protocol allows.
///
/// The event stream is pull-driven: the next protocol request is sent only when the consumer asks
/// for an event and none is buffered (the batch stream reads up to two replies ahead), so a consumer that
/// stops pulling sends no new `/meta/connect` (backpressure). One stream per session.
public actor BayeuxSession {
    typealias Sleep = @Sendable (Duration) async throws -> Void

    private let configuration: BayeuxConfiguration
    private let transport: any HTTPClient
    private let authenticator: any BayeuxAuthenticator
    private let replaySource: (any ReplayPositionSource)?
    private let logger: Logger
    private let sleep: Sleep

    private var machine: BayeuxStateMachine?
    private var pendingAction: BayeuxStateMachine.Action?
    private var endpointValue: BayeuxEndpoint?
    private var owner: StreamToken?
    private var stopped = false
    private var fatalAuthenticatorError: (any Error)?
    private var buffer = ReplyBuffer()
    private var messageCounter = 0
    private var operationCounter = 0
    private var currentOperation: (token: Int, cancel: @Sendable () -> Void)?
    /// The long polls started when the consumer took a batch (see ``messageBatches(subscribingTo:)``).
    private var readAhead: Task<Void, Never>?
    /// True while the read-ahead runs its requests: the only operations then (the consumer waits
    /// for it), which run in its own task, the one ``stop()`` cancels, rather than in a child task.
    private var readAheadRunning = false
    /// How the read-ahead ended, for the consumer once the buffer is empty: with an error, or
    /// with the end of the stream.
    private var readAheadError: (any Error)?
    private var readAheadEnded = false
    /// The consumer waiting for the read-ahead to buffer events or end.
    private var consumerWaiting: CheckedContinuation<Void, Never>?

    /// Counters of what the session did so far.
    public private(set) var statistics = BayeuxStatistics()

    /// The client ID of the current handshake, if any.
    public var clientID: String? { machine?.clientID }

    /// Creates a session; nothing is sent until the stream from ``messages(subscribingTo:)`` is pulled.
    /// - Parameters:
    ///   - replay: where each subscription starts; asked on every (re)subscribe. `nil`: always
    ///     ``BayeuxConfiguration/defaultReplayPosition``.
    public init(configuration: BayeuxConfiguration = BayeuxConfiguration(), transport: any HTTPClient,
                authenticator: any BayeuxAuthenticator, replay: (any ReplayPositionSource)? = nil,
                logger: Logger)
    {
        self.init(configuration: configuration, transport: transport, authenticator: authenticator,
                  replay: replay, logger: logger, sleep: { try await Task.sleep(for: $0) })
    }

    /// Test seam: `sleep` replaces every wait (backoff, advised interval). The backoff's random
    /// source is ``BackoffPolicy/random`` in the configuration.
    init(configuration: BayeuxConfiguration, transport: any HTTPClient, authenticator: any BayeuxAuthenticator,
         replay: (any ReplayPositionSource)?, logger: Logger, sleep: @escaping Sleep)
    {
        self.configuration = configuration
        self.transport = transport
        self.authenticator = authenticator
        self.replaySource = replay
        self.logger = logger
        self.sleep = sleep
    }

    /// The event (non-meta) messages of `channels`, in the order the server delivered them.
    ///
    /// Each `next()` returns the next buffered event of the last `/meta/connect` reply; only when
    /// none is left does it run the next protocol steps (handshake, subscribes, long poll...).
    /// The stream finishes after ``stop()`` (or when the consuming task is cancelled) and throws a
    /// ``BayeuxError`` — or the authenticator's ``BayeuxFatalError`` — on a fatal error.
    /// One stream per session: the first stream pulled owns it; pulling another one throws
    /// ``BayeuxError/alreadyStarted``. Cancelling the consumer does not disconnect: call ``stop()``.
    ///
    /// A consumer that pauses longer than the server keeps an idle client (Salesforce: 40 s after
    /// the last reply) is forgotten by the server; the next pull then gets "unknown client", and
    /// the session re-handshakes and resubscribes from the ``ReplayPositionSource``.
    public nonisolated func messages(subscribingTo channels: [String]) -> AsyncThrowingStream<BayeuxMessage, any Error> {
        let stream = StreamToken()
        return AsyncThrowingStream(unfolding: { [self] in try await self.nextEvent(stream: stream, channels: channels) })
    }

    /// The same events as ``messages(subscribingTo:)``, a reply at a time: each element holds the
    /// events of one reply not taken yet (never empty), in delivery order. One hop onto the
    /// session per reply instead of per event, for consumers that hand events on in bulk.
    ///
    /// The session reads ahead: when a batch is taken and the next step is an immediate
    /// `/meta/connect`, that long poll starts at once, and the next one as soon as its answer is
    /// read, so the server's answers and their decoding overlap with the consumer's work on the
    /// batch and need not wait for the consumer to take the one before. At most two replies wait
    /// beyond the batch being handled; a consumer that stops pulling causes no further request
    /// after them. Otherwise the same rules apply: one stream per session, finishes after
    /// ``stop()``.
    public nonisolated func messageBatches(subscribingTo channels: [String]) -> AsyncThrowingStream<[BayeuxMessage], any Error> {
        let stream = StreamToken()
        return AsyncThrowingStream(unfolding: { [self] in try await self.nextBatch(stream: stream, channels: channels) })
    }

    /// Identifies the stream that owns the session (the first one pulled).
    private final class StreamToken: Sendable {}

    /// Ends the stream, aborts an in-flight request or wait at once, then sends a best-effort
    /// `/meta/disconnect` (with ``BayeuxConfiguration/disconnectTimeout``).
    public func stop() async {
        guard !stopped else { return }
        stopped = true
        currentOperation?.cancel()
        currentOperation = nil
        readAhead?.cancel()
        let client = machine?.clientID
        _ = machine?.handle(.stop)
        buffer.removeAll()
        guard let client, let endpoint = endpointValue else { return }
        let message: JSONValue = ["channel": "/meta/disconnect", "clientId": .string(client), "id": .string(nextID())]
        do {
            let request = makeRequest(JSONValue.array([message]).serialized(), endpoint: endpoint,
                                      timeout: configuration.disconnectTimeout)
            let response = try await transport.send(request)
            logger.debug("Bayeux disconnect sent", metadata: ["status": "\(response.status)"])
        } catch {
            logger.debug("Bayeux disconnect failed (ignored)", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - The pull loop

    private func nextEvent(stream: StreamToken, channels: [String]) async throws -> BayeuxMessage? {
        guard try await fillBuffer(stream: stream, channels: channels) else { return nil }
        return buffer.takeEvent()
    }

    private func nextBatch(stream: StreamToken, channels: [String]) async throws -> [BayeuxMessage]? {
        guard try await fillBuffer(stream: stream, channels: channels) else { return nil }
        let batch = buffer.takeReply()
        startReadAhead()
        return batch
    }

    /// Starts the next step now if it is an immediate long poll, and goes on with the long polls
    /// after it while fewer than ``readAheadReplies`` replies' events wait in the buffer; the
    /// consumer takes its outcome in ``fillBuffer(stream:channels:)``.
    ///
    /// At high priority: the consumer's workers can hold every thread of the default priority
    /// while they go through the batch, and a read-ahead queued behind them would send its
    /// request only once they run dry, which is no read-ahead at all. On Linux every priority has
    /// its own threads, so the request goes out and its answer is decoded while they work
    /// (measured: ~2 ms without events per 1000-event reply before, 117 K vs 143 K events/s).
    private func startReadAhead() {
        guard readAhead == nil, !stopped, nextIsImmediateConnect else { return }
        let action = pendingAction!
        pendingAction = nil
        readAhead = Task(priority: .high) { await self.readAhead(from: action) }
    }

    /// Replies whose events may wait in the buffer before the read-ahead stops asking for more.
    private static let readAheadReplies = 2

    /// The read-ahead: runs `first`, feeds its outcome to the state machine, and goes on while the
    /// next step is an immediate long poll and the buffer holds fewer than ``readAheadReplies``
    /// replies. Never throws: an error is kept for the consumer (``readAheadError``), which gets
    /// it after the events buffered before it.
    private func readAhead(from first: BayeuxStateMachine.Action) async {
        readAheadRunning = true
        defer {
            readAheadRunning = false
            readAhead = nil
            wakeConsumer()
        }
        var action = first
        while true {
            do {
                guard let event = try await execute(action), !stopped else {
                    readAheadEnded = true
                    return
                }
                pendingAction = machine!.handle(event)
            } catch {
                readAheadError = error
                return
            }
            guard buffer.replies < Self.readAheadReplies, !Task.isCancelled, nextIsImmediateConnect else { return }
            action = pendingAction!
            pendingAction = nil
        }
    }

    /// Whether the next step is a long poll to send at once (what a read-ahead sends).
    private var nextIsImmediateConnect: Bool {
        if case .connect(let delay, _, _)? = pendingAction { delay == .zero } else { false }
    }

    /// Resumes a consumer waiting for the read-ahead (events were buffered, or it ended).
    private func wakeConsumer() {
        consumerWaiting?.resume()
        consumerWaiting = nil
    }

    /// Runs protocol steps until an event is buffered (true) or the stream ends (false).
    private func fillBuffer(stream: StreamToken, channels: [String]) async throws -> Bool {
        if owner == nil {
            owner = stream
            machine = BayeuxStateMachine(channels: channels, configuration: configuration)
        } else if owner !== stream {
            throw BayeuxError.alreadyStarted
        }
        while true {
            if stopped || Task.isCancelled { return false }
            if !buffer.isEmpty { return true }
            if let error = readAheadError {
                readAheadError = nil
                throw error
            }
            if readAheadEnded { return false }
            if let running = readAhead {
                // Until it buffers events or ends: not until it ends, which may be a reply later.
                await withTaskCancellationHandler {
                    await withCheckedContinuation { consumerWaiting = $0 }
                } onCancel: {
                    running.cancel()
                }
                continue
            }
            guard machine != nil else { return false }
            let action = pendingAction ?? machine!.handle(.start)
            pendingAction = nil
            guard let event = try await execute(action) else { return false }
            if stopped { return false }
            pendingAction = machine!.handle(event)
        }
    }

    /// Runs one action; returns the event describing its outcome, or `nil` when the stream ends.
    private func execute(_ action: BayeuxStateMachine.Action) async throws -> BayeuxStateMachine.Event? {
        switch action {
        case .handshake:
            if endpointValue == nil {
                do {
                    let authenticator = self.authenticator
                    endpointValue = try await cancellable { try await authenticator.endpoint() }
                } catch {
                    return authenticatorFailure(error)
                }
            }
            return try await handshake()
        case .subscribe(let channel, let fallback):
            return try await subscribe(channel, fallback: fallback)
        case .connect(let delay, let timeout, let immediate):
            if delay > .zero {
                guard await wait(delay) else { return nil }
            }
            return try await connect(timeout: timeout, immediate: immediate)
        case .backoff(let attempt):
            statistics.backoffs += 1
            let delay = configuration.backoff.delay(forAttempt: attempt)
            logger.warning("Bayeux backing off before retrying",
                           metadata: ["attempt": "\(attempt + 1)", "delay": "\(delay)"])
            guard await wait(delay) else { return nil }
            return .backoffElapsed
        case .reauthenticate:
            statistics.reauthentications += 1
            logger.warning("Bayeux server rejected the credentials; re-authenticating")
            do {
                let authenticator = self.authenticator
                endpointValue = try await cancellable { try await authenticator.reauthenticate() }
                return .reauthenticated
            } catch {
                return authenticatorFailure(error)
            }
        case .fail(let error):
            logger.error("Bayeux session failed", metadata: ["error": "\(error)"])
            if let original = fatalAuthenticatorError { throw original }
            throw error
        case .stop:
            return nil
        }
    }

    private func authenticatorFailure(_ error: any Error) -> BayeuxStateMachine.Event? {
        if stopped || Task.isCancelled { return nil }
        let fatal = error is any BayeuxFatalError
        if fatal {
            fatalAuthenticatorError = error
        } else {
            logger.warning("Bayeux authenticator failed; will retry", metadata: ["error": "\(error)"])
        }
        return .authenticatorFailed(fatal: fatal, reason: "\(error)")
    }

    // MARK: - Protocol requests

    private func handshake() async throws -> BayeuxStateMachine.Event? {
        var message: JSONObject = [
            "channel": "/meta/handshake",
            "version": .string(configuration.version),
            "minimumVersion": .string(configuration.minimumVersion),
            "supportedConnectionTypes": ["long-polling"],
            "id": .string(nextID()),
        ]
        if configuration.replay { message["ext"] = ["replay": true] }
        statistics.handshakes += 1
        logger.debug("Bayeux handshake")
        let event = try await send(.object(message), timeout: configuration.metaRequestTimeout)
        if case .replies(let replies)? = event,
           let reply = replies.first(where: { $0.channel == "/meta/handshake" }), reply.successful == true
        {
            logger.debug("Bayeux handshake succeeded", metadata: ["clientId": "\(reply.clientId ?? "")"])
            if configuration.replay, reply.ext?["replay"] != .bool(true) {
                logger.warning("Bayeux server did not confirm the replay extension; replay IDs may be ignored")
            }
        }
        return event
    }

    private func subscribe(_ channel: String, fallback: ReplayPosition?) async throws -> BayeuxStateMachine.Event? {
        var message: JSONObject = [
            "channel": "/meta/subscribe",
            "clientId": machine?.clientID.map(JSONValue.string) ?? .null,
            "subscription": .string(channel),
            "id": .string(nextID()),
        ]
        var position: ReplayPosition?
        if configuration.replay {
            if let fallback {
                position = fallback
                statistics.invalidReplayFallbacks += 1
                Counter(label: "bayeux_replay_fallbacks_total", dimensions: [("channel", channel)],
                        factory: configuration.metricsFactory ?? MetricsSystem.factory).increment()
                logger.warning("Bayeux server rejected the replay ID as invalid; resubscribing from the fallback position. Events may have been missed.",
                               metadata: ["channel": "\(channel)", "position": "\(fallback)"])
            } else {
                position = await replaySource?.replayPosition(for: channel) ?? configuration.defaultReplayPosition
                if stopped { return nil }
            }
            message["ext"] = ["replay": .object([channel: position!.jsonValue])]
        }
        statistics.subscribes += 1
        logger.debug("Bayeux subscribe",
                     metadata: ["channel": "\(channel)", "replay": "\(position.map { "\($0)" } ?? "off")"])
        return try await send(.object(message), timeout: configuration.metaRequestTimeout)
    }

    private func connect(timeout: Duration, immediate: Bool) async throws -> BayeuxStateMachine.Event? {
        var message: JSONObject = [
            "channel": "/meta/connect",
            "clientId": machine?.clientID.map(JSONValue.string) ?? .null,
            "connectionType": "long-polling",
            "id": .string(nextID()),
        ]
        if immediate { message["advice"] = ["timeout": 0] }
        statistics.connects += 1
        logger.debug("Bayeux connect", metadata: ["timeout": "\(timeout)", "immediate": "\(immediate)"])
        return try await send(.object(message), timeout: timeout)
    }

    /// Sends one message; buffers the event messages of the reply and describes the outcome.
    private func send(_ message: JSONValue, timeout: Duration) async throws -> BayeuxStateMachine.Event? {
        guard let endpoint = endpointValue else {
            throw BayeuxError.protocolViolation("internal: no endpoint")
        }
        let body = JSONValue.array([message]).serialized()
        guard body.count <= configuration.maxRequestBytes else {
            throw BayeuxError.requestTooLarge(bytes: body.count, limit: configuration.maxRequestBytes)
        }
        let request = makeRequest(body, endpoint: endpoint, timeout: timeout)
        let response: HTTPResponse
        do {
            let transport = self.transport
            response = try await cancellable { try await transport.send(request) }
        } catch {
            if stopped || Task.isCancelled { return nil }
            statistics.transportFailures += 1
            logger.warning("Bayeux request failed", metadata: ["channel": "\(message["channel"] ?? .null)",
                                                                "error": "\(error)"])
            return .transportFailure
        }
        if stopped { return nil }
        guard (200..<300).contains(response.status) else {
            statistics.httpErrors += 1
            logger.warning("Bayeux request got an HTTP error", metadata: [
                "channel": "\(message["channel"] ?? .null)", "status": "\(response.status)",
            ])
            return .httpStatus(response.status)
        }
        // A variable of its own: stamping the events below then changes the only copy of the array.
        var replies: [BayeuxMessage]
        let skipped: Int
        do {
            (replies, skipped) = try BayeuxMessage.decodeBatch(response.bytes)
        } catch {
            statistics.malformedReplies += 1
            logger.warning("Bayeux reply is malformed", metadata: [
                "channel": "\(message["channel"] ?? .null)", "error": "\(error)",
            ])
            return .malformedReply
        }
        if skipped > 0 {
            logger.warning("Bayeux reply contained messages that could not be read; skipped them",
                           metadata: ["skipped": "\(skipped)"])
        }
        // Events go to the buffer; the state machine only reads the meta replies.
        let metas = BayeuxMessage.takeMetaReplies(from: &replies, stampingEventsWith: machine?.clientID)
        for reply in metas where reply.successful != true {
            logger.debug("Bayeux meta reply unsuccessful", metadata: [
                "channel": "\(reply.channel)", "error": "\(reply.errorSummary)",
                "advice": "\(reply.advice.map { "\($0.jsonValue)" } ?? "none")",
            ])
        }
        if !replies.isEmpty {
            buffer.append(replies)
            wakeConsumer()
        }
        statistics.eventsReceived += replies.count
        return .replies(metas)
    }

    private func makeRequest(_ body: Data, endpoint: BayeuxEndpoint, timeout: Duration) -> HTTPRequest {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        headers.append(contentsOf: endpoint.headers.filter {
            $0.name.lowercased() != "content-type"
        })
        return HTTPRequest(method: .post, url: endpoint.url, headers: headers, body: body, timeout: timeout)
    }

    private func nextID() -> String {
        messageCounter += 1
        return String(messageCounter)
    }

    // MARK: - Cancellable operations

    /// Waits; `false` if the session stopped (or the consumer was cancelled) meanwhile.
    private func wait(_ duration: Duration) async -> Bool {
        let sleep = self.sleep
        do {
            try await cancellable { try await sleep(duration) }
        } catch {
            return !(stopped || Task.isCancelled)
        }
        return !(stopped || Task.isCancelled)
    }

    /// Runs `operation` in a child task that ``stop()`` (or the consumer's cancellation) cancels;
    /// in the read-ahead, in the read-ahead's own task, which both cancel: a child task's result
    /// reached the session through one more thread hand-off per request.
    private func cancellable<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        if stopped { throw CancellationError() }
        if readAheadRunning { return try await operation() }
        let task = Task { try await operation() }
        operationCounter += 1
        let token = operationCounter
        currentOperation = (token, { task.cancel() })
        defer {
            if currentOperation?.token == token { currentOperation = nil }
        }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }
}
