import SalesforceStreaming
import ServiceKit

/// The channel every streaming benchmark publishes to and subscribes to.
public let benchChannel = "/topic/BenchEvents"

/// A service whose handler does nothing: measures the framework, not the handler.
public struct NoopStreamingService: Service {
    public static let name = "bench-noop"
    @Subscribe("/topic/BenchEvents") var onEvent = Self.handle
    public init() {}
    func handle(topic: String, event: StreamingEvent) async throws {}
}

/// A service whose handler reads the record's name, as most handlers read their event: event
/// data is decoded when first read, so this is what a handler that looks at its payload costs.
public struct PayloadReadingStreamingService: Service {
    public static let name = "bench-payload"
    @Subscribe("/topic/BenchEvents") var onEvent = Self.handle
    public init() {}
    func handle(topic: String, event: StreamingEvent) async throws {
        guard event.sobject?["Name"]?.stringValue != nil else { throw MissingName() }
    }

    struct MissingName: Error {}
}

/// A service whose handlers finish out of order: each yields `replayID % 8` times before returning,
/// so with `max_workers` > 1 later events often complete before earlier ones and the replay
/// tracker has to hold the watermark back.
public struct ShuffledCompletionService: Service {
    public static let name = "bench-shuffled"
    @Subscribe("/topic/BenchEvents") var onEvent = Self.handle
    public init() {}
    func handle(topic: String, event: StreamingEvent) async throws {
        let spins = Int((event.replayID?.value.intValue ?? 0) % 8)
        for _ in 0..<spins { await Task.yield() }
    }
}
