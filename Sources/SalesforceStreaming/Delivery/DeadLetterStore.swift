#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An event whose handler failed every attempt, kept with its payload and the last error.
public struct DeadLetter: Sendable, Equatable {
    public let channel: String
    public let replayID: ReplayID?
    /// The event's `data`, as received.
    public let data: JSONValue
    public let error: String
    public let attempts: Int
    public let failedAt: Date

    /// The JSON kept for the letter: `channel`, `replayId`, `data`, `error`, `attempts`, `failedAt`.
    public var json: JSONValue {
        .object([
            "channel": .string(channel),
            "replayId": replayID?.value ?? .null,
            "data": data,
            "error": .string(error),
            "attempts": .int(Int64(attempts)),
            "failedAt": .string(failedAt.ISO8601Format()),
        ])
    }
}

/// Where events are parked after their handler failed every attempt
/// (`HANDLER_FAILURE_POLICY: dead_letter`).
public protocol DeadLetterStore: Sendable {
    func park(_ letter: DeadLetter) async throws
}

/// Keeps dead letters in memory and logs each; the default without Redis, and for tests.
public actor InMemoryDeadLetterStore: DeadLetterStore {
    public private(set) var letters: [DeadLetter] = []

    public init() {}

    public func park(_ letter: DeadLetter) {
        letters.append(letter)
    }
}
