#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import Redis
import ServiceKit
#if canImport(Glibc)
import Glibc
#endif

/// The entrypoint behind ``EventHandler``: consumes `<source>.events` through the consumer group
/// `<service>.<attribute>` and runs the handler in a worker for each event of its types.
///
/// Its loop runs as a managed task on a Redis connection of its own (blocking reads must not
/// hold up acknowledgements and dispatches, which go through the container's shared
/// ``EventsConnection``). Each round it (1) re-creates the group if Redis lost it, (2) after
/// starting or a connection error, takes back this consumer's own pending entries that no worker
/// has (`XPENDING` + `XCLAIM`, like reading from ID `0`), (3) redelivers failed entries whose
/// retry delay has passed, (4) about once a second takes over entries abandoned at other
/// consumers, and (5) reads new entries with a short `BLOCK`. A second task renews the claims on
/// entries held here (`XCLAIM ... JUSTID`) so that other instances do not take them over while a
/// worker is busy with them or waits for a slot.
actor EventHandlerEntrypoint<S: Service>: Entrypoint {
    nonisolated let name: String
    let source: String
    let eventTypes: Set<String>
    let stream: String
    let deadLetterStream: String
    let group: String
    let consumer: String

    private let handler: EventHandlerFunction<S>.Function
    private let context: ContainerContext<S>
    private let logger: Logger

    private var settings: EventsConfiguration?
    private var reader: RedisConnection?
    private var connection: EventsConnection?
    /// Where to create the group from when it does not exist (yet), or nil when it does.
    private var missingGroupStart: String? = "$"
    private var recoverOwnPending = true
    private var nextSweep = ContinuousClock.now
    /// Entries read and not yet finished (waiting for a worker, or running), with when they were
    /// read or their claim was last renewed.
    private var owned: [String: ContinuousClock.Instant] = [:]
    /// Entries whose handler failed, waiting to be delivered again.
    private var retries: [String: (due: ContinuousClock.Instant, attempt: Int)] = [:]
    private var stopping = false
    private var killed = false
    private var loopRunning = false
    private var loopWaiters: [CheckedContinuation<Void, Never>] = []

    static var initialBackoff: Duration { .milliseconds(100) }
    static var maximumBackoff: Duration { .seconds(5) }

    init(source: String, eventTypes: Set<String>, attribute: String,
         handler: @escaping EventHandlerFunction<S>.Function, context: ContainerContext<S>) {
        self.source = source
        self.eventTypes = eventTypes
        self.name = "\(attribute)(\(source): \(eventTypes.sorted().joined(separator: ", ")))"
        self.stream = EventStreamName.events(of: source)
        self.deadLetterStream = EventStreamName.deadLetters(of: source)
        self.group = "\(context.services.serviceName).\(attribute)"
        self.consumer = Self.makeConsumerName()
        self.handler = handler
        self.context = context
        var logger = context.services.logger
        logger[metadataKey: "entrypoint"] = .string(name)
        self.logger = logger
    }

    /// `<host>.<pid>.<random>`: unique per container, readable in `XINFO CONSUMERS`.
    static func makeConsumerName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count - 1) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : "host"
        let random = UUID().uuidString.prefix(8).lowercased()
        return "\(host).\(ProcessInfo.processInfo.processIdentifier).\(random)"
    }

    // MARK: Lifecycle

    func setup() async throws {
        let settings = try EventsConfiguration(context.services.configuration)
        self.settings = settings
        let connection = await EventsConnection.shared(in: context.services, settings: settings)
        await connection.register(stream: stream, group: group, consumer: consumer)
        self.connection = connection
        reader = RedisConnection(configuration: settings.blockingRedis, logger: logger)
        do {
            try await createGroup(startingAt: "$")
        } catch {
            guard let failure = error as? RedisError, failure.kind != .server else { throw error }
            // Redis is down: the loop creates the group once it is back, and never gives up.
            logger.warning("cannot reach Redis to create consumer group \(group) on \(stream); will retry: \(failure)")
        }
    }

    func start() async throws {
        loopRunning = true
        await context.services.spawnManagedTask(name) { await self.run() }
        await context.services.spawnManagedTask("\(name) claim renewal") { await self.renewClaims() }
    }

    /// Stops reading (within one `BLOCK` period) and waits for the loop to end. Running workers
    /// finish and acknowledge through the shared connection, which the container stops last.
    func stop() async {
        stopping = true
        if loopRunning {
            await withCheckedContinuation { loopWaiters.append($0) }
        }
        await reader?.close()
    }

    /// Ends at once; workers the container cancels acknowledge nothing.
    func kill() async {
        stopping = true
        killed = true
        await reader?.close()
    }

    // MARK: The loop

    private func run() async {
        var backoff = Self.initialBackoff
        while !stopping && !Task.isCancelled {
            do {
                try await poll()
                backoff = Self.initialBackoff
            } catch let error as RedisError where error.kind == .server && error.message.hasPrefix("NOGROUP") {
                logger.warning("consumer group \(group) on \(stream) is gone (Redis restarted without persistence, or it was deleted); re-creating it from the start of the stream")
                missingGroupStart = "0"
            } catch is CancellationError {
                break
            } catch is ContainerError {
                break  // the container is stopping and takes no new workers
            } catch {
                guard !stopping else { break }
                logger.warning("reading events from \(stream) failed; retrying in \(backoff): \(error)")
                recoverOwnPending = true
                await pause(backoff)
                backoff = min(backoff * 2, Self.maximumBackoff)
            }
        }
        loopRunning = false
        let waiters = loopWaiters
        loopWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    /// One round; see the type's documentation.
    private func poll() async throws {
        guard let reader, let settings else { return }
        if let start = missingGroupStart {
            try await createGroup(startingAt: start)
        }
        if recoverOwnPending {
            try await claimPending(ownedBy: consumer, minimumIdle: 0)
            recoverOwnPending = false
        }
        try await redeliverDueRetries()
        if ContinuousClock.now >= nextSweep {
            try await sweep()
            nextSweep = ContinuousClock.now + settings.sweepInterval
        }
        let reply = try await reader.command([
            "XREADGROUP", "GROUP", group, consumer, "COUNT", String(settings.batchSize),
            "BLOCK", String(settings.blockMilliseconds), "STREAMS", stream, ">",
        ])
        try await process(try StreamEntry.entries(fromRead: reply)) { _ in 1 }
    }

    private func createGroup(startingAt start: String) async throws {
        guard let reader else { return }
        do {
            try await reader.command(["XGROUP", "CREATE", stream, group, start, "MKSTREAM"])
            logger.info("created consumer group \(group) on \(stream) at \(start)")
        } catch {
            // BUSYGROUP: another instance (or an earlier run) made it.
            guard error.kind == .server, error.message.hasPrefix("BUSYGROUP") else { throw error }
        }
        missingGroupStart = nil
    }

    /// Claims pending entries (this consumer's, or any idle for `minimumIdle` ms) that no worker
    /// here holds, and delivers them again or dead-letters those that used up their attempts.
    private func claimPending(ownedBy owner: String?, minimumIdle: Int64) async throws {
        guard let reader, let settings else { return }
        var query = ["XPENDING", stream, group]
        if minimumIdle > 0 { query += ["IDLE", String(minimumIdle)] }
        query += ["-", "+", String(settings.batchSize)]
        if let owner { query.append(owner) }
        let pending = try PendingEntry.entries(from: try await reader.command(query))
            .filter { owned[$0.id] == nil && retries[$0.id] == nil }
        guard !pending.isEmpty else { return }
        let deliveries = Dictionary(pending.map { ($0.id, $0.deliveries) }, uniquingKeysWith: max)
        let reply = try await reader.command(["XCLAIM", stream, group, consumer, String(minimumIdle)] + pending.map(\.id))
        let claimed = try StreamEntry.entries(fromClaim: reply)
        if owner == nil, !claimed.isEmpty {
            logger.info("took over \(claimed.count) event(s) left pending for more than \(settings.abandonedAfter)")
        }
        try await process(claimed) { deliveries[$0.id, default: 0] + 1 }
    }

    /// Delivers again the failed entries whose retry delay has passed (claiming them anew counts
    /// the delivery in Redis; entries trimmed or taken over meanwhile are not returned).
    private func redeliverDueRetries() async throws {
        guard let reader else { return }
        let now = ContinuousClock.now
        let due = retries.filter { $0.value.due <= now }
        guard !due.isEmpty else { return }
        for id in due.keys { retries[id] = nil }
        let reply = try await reader.command(["XCLAIM", stream, group, consumer, "0"] + due.keys.sorted())
        try await process(try StreamEntry.entries(fromClaim: reply)) { due[$0.id].map { $0.attempt + 1 } ?? 1 }
    }

    /// Takes over entries abandoned at other consumers (or at an earlier instance of this one).
    private func sweep() async throws {
        guard let settings else { return }
        try await claimPending(ownedBy: nil, minimumIdle: EventsConfiguration.milliseconds(settings.abandonedAfter))
    }

    /// Until the last worker has finished, renews the claim on entries held here for a while
    /// (waiting for a worker, running, or waiting for a retry), so that other instances do not
    /// take them over. Runs apart from the read loop, which may wait long for a free worker, and
    /// uses the shared connection.
    private func renewClaims() async {
        guard let settings, let connection else { return }
        while !Task.isCancelled && !(stopping && owned.isEmpty) {
            try? await Task.sleep(for: settings.sweepInterval)
            let now = ContinuousClock.now
            let held = owned.filter { now - $0.value > settings.abandonedAfter / 3 }.map(\.key)
                + (stopping ? [] : Array(retries.keys))
            guard !held.isEmpty, !killed else { continue }
            do {
                // Resets their idle time without counting a delivery.
                try await connection.redis.command(["XCLAIM", stream, group, consumer, "0"] + held + ["JUSTID"])
                for id in held where owned[id] != nil { owned[id] = now }
            } catch {
                logger.debug("could not renew the claim on \(held.count) event(s): \(error)")
            }
        }
    }

    /// Starts a worker for each entry of our types (waiting for free workers), dead-letters
    /// entries that are not events or used up their attempts, and acknowledges the others.
    private func process(_ entries: [StreamEntry], attempt: (StreamEntry) -> Int) async throws {
        guard let settings, let connection else { return }
        let readAt = ContinuousClock.now
        for entry in entries { owned[entry.id] = readAt }
        var ignored: [String] = []
        var started: Set<String> = []
        defer {
            // Entries not started (stopping, or an error) stay pending for a later takeover.
            for entry in entries where !started.contains(entry.id) { owned[entry.id] = nil }
        }
        for entry in entries {
            guard !stopping else { break }
            let attempt = attempt(entry)
            let message: EventMessage
            do {
                message = try EventMessage(entry: entry, source: source, attempt: attempt)
            } catch {
                if entry.fields == nil {
                    logger.warning("event \(entry.id) was trimmed from \(stream) before it was handled")
                    ignored.append(entry.id)
                } else {
                    try await deadLetter(entry, reason: "not an event: \(error)", attempts: attempt)
                }
                continue
            }
            guard eventTypes.contains(message.type) else {
                ignored.append(entry.id)
                continue
            }
            if attempt > settings.maxAttempts {
                try await deadLetter(entry, reason: "not acknowledged after \(attempt - 1) deliveries (the last attempt failed or its consumer stopped)",
                                     attempts: attempt - 1)
                continue
            }
            if attempt > 1 {
                logger.info("delivering event \(entry.id) (\(message.type)) again, attempt \(attempt) of \(settings.maxAttempts)")
            }
            if ContinuousClock.now - readAt > settings.abandonedAfter / 2 {
                guard try await stillOurs(entry.id) else {
                    logger.info("event \(entry.id) waited for a worker so long that another consumer took it over")
                    continue
                }
            }
            started.insert(entry.id)
            try await spawn(entry, message)
        }
        // Entries of other types (or already trimmed) concern no handler here. If this fails they
        // stay pending and are taken over (and ignored) later.
        if !ignored.isEmpty {
            try await connection.redis.command(["XACK", stream, group] + ignored)
        }
    }

    /// Whether the entry is still pending at this consumer.
    private func stillOurs(_ id: String) async throws -> Bool {
        guard let reader else { return false }
        let pending = try PendingEntry.entries(from: try await reader.command(["XPENDING", stream, group, id, id, "1"]))
        return pending.first?.consumer == consumer
    }

    private func spawn(_ entry: StreamEntry, _ message: EventMessage) async throws {
        owned[entry.id] = .now
        var data = message.contextData
        data["event_id"] = message.id
        data["event_type"] = message.type
        data["source_service"] = message.sourceService
        let handler = self.handler
        do {
            try await context.spawnWorker(entrypoint: name, contextData: data,
                                          handler: { service in try await handler(service)(message) },
                                          completion: { result in await self.finished(entry, message, result) })
        } catch {
            owned[entry.id] = nil
            throw error
        }
    }

    /// After a worker: acknowledge on success; on failure schedule a redelivery, or dead-letter
    /// the entry when it used up its attempts.
    private func finished(_ entry: StreamEntry, _ message: EventMessage, _ result: Result<Void, any Error>) async {
        guard !killed, let settings, let connection else {
            owned[entry.id] = nil
            return
        }
        switch result {
        case .success:
            do {
                try await connection.redis.command(["XACK", stream, group, entry.id])
            } catch {
                logger.warning("could not acknowledge event \(entry.id); it will be delivered again: \(error)")
            }
            owned[entry.id] = nil  // only now, so that a claim cannot take it back before the ack
        case .failure(let error):
            owned[entry.id] = nil
            if message.attempt >= settings.maxAttempts {
                do {
                    try await deadLetter(entry, reason: "\(error)", attempts: message.attempt)
                } catch let failure {
                    logger.error("could not dead-letter event \(entry.id); it stays pending and will be dead-lettered later: \(failure)")
                }
            } else {
                retries[entry.id] = (ContinuousClock.now + settings.retryDelay, message.attempt)
                logger.warning("handler failed on event \(entry.id) (\(message.type)), attempt \(message.attempt) of \(settings.maxAttempts); delivering it again in \(settings.retryDelay): \(error)")
            }
        }
    }

    /// Copies the entry with the error to `<source>.events.dead` and acknowledges it, atomically.
    private func deadLetter(_ entry: StreamEntry, reason: String, attempts: Int) async throws {
        guard let connection else { return }
        var add = ["XADD", deadLetterStream, "*"]
        for field in entry.fields ?? [] { add += [field.name, field.value] }
        add += ["error", reason, "attempts", String(attempts), "event_id", entry.id,
                "consumer_group", group, "consumer", consumer]
        let replies = try await connection.redis.pipeline([["MULTI"], add, ["XACK", stream, group, entry.id], ["EXEC"]])
        for reply in replies + (replies.last?.arrayValue ?? []) {
            if case .error(let message) = reply { throw RedisError.server(message) }
        }
        logger.error("gave up on event \(entry.id) (\(entry.field(EventField.type) ?? "?")) after \(attempts) attempt(s); copied it to \(deadLetterStream): \(reason)")
    }

    /// Sleeps for `duration`, waking early when stopping.
    private func pause(_ duration: Duration) async {
        let end = ContinuousClock.now + duration
        while !stopping && !Task.isCancelled && ContinuousClock.now < end {
            try? await Task.sleep(for: min(.milliseconds(50), end - ContinuousClock.now))
        }
    }
}
