import TestSupport
import Bayeux
import RedisEvents
import ServiceKit

struct Boom: Error, CustomStringConvertible {
    let value: Int64
    var description: String { "boom on \(value)" }
}

/// What a handler saw: which handler, the message, and the worker's context data.
struct Handled: Sendable {
    let handler: String
    let message: EventMessage
    let workerData: [String: String]
    var value: Int64? { message.payload["value"]?.intValue }
}

/// Where the test services record, per test (task-locals reach workers through the container's tasks).
enum Current {
    @TaskLocal static var handled = Recorder<Handled>()
}

/// Dispatches `thing_happened` (trigger `emit`) and `other_thing` (trigger `emitOther`).
struct Producer: Service {
    static let name = "producer"
    @Dependency(EventDispatcher()) var dispatch
    @Trigger("emit") var onEmit = Self.emit
    @Trigger("emitOther") var onEmitOther = Self.emitOther

    func emit(_ value: Int) async throws {
        try await dispatch("thing_happened", ["value": .int(Int64(value)), "text": "héllo \"world\""])
    }

    func emitOther(_ value: Int) async throws {
        try await dispatch("other_thing", ["value": .int(Int64(value))])
    }
}

/// Handles `thing_happened` from the producer. Values below 0 always fail; values from 1000
/// fail on their first attempt only; values from 2000 take 50 ms, from 3000 800 ms.
struct Consumer: Service {
    static let name = "consumer"
    @EventHandler("producer", "thing_happened") var onThing = Self.handle

    func handle(_ event: EventMessage) async throws {
        await Current.handled.record(Handled(handler: "onThing", message: event, workerData: WorkerContext.current!.data))
        let value = event.payload["value"]?.intValue ?? 0
        if value < 0 || (1000..<2000).contains(value) && event.attempt == 1 { throw Boom(value: value) }
        if value >= 3000 {
            try await Task.sleep(for: .milliseconds(800))
        } else if value >= 2000 {
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Several handlers on one service: a stacked one for both types and another for one type.
struct MultiConsumer: Service {
    static let name = "multi-consumer"
    @EventHandler("producer", "thing_happened")
    @EventHandler("producer", "other_thing")
    var onBoth = Self.handleBoth
    @EventHandler("producer", "thing_happened") var onThing = Self.handleThing

    func handleBoth(_ event: EventMessage) async throws {
        await Current.handled.record(Handled(handler: "onBoth", message: event, workerData: WorkerContext.current!.data))
    }

    func handleThing(_ event: EventMessage) async throws {
        await Current.handled.record(Handled(handler: "onThing", message: event, workerData: WorkerContext.current!.data))
    }
}
