import Synchronization

/// Holds what a benchmark's setup made until its teardown takes it back (package-benchmark's
/// teardown hook gets no state). All access is under the mutex.
public final class Fixture<Value: Sendable>: Sendable {
    private let slot = Mutex<Value?>(nil)

    public init() {}

    public func set(_ value: Value) { slot.withLock { $0 = value } }

    /// The value setup stored; a benchmark body runs only after a successful setup.
    public var value: Value {
        guard let value = slot.withLock({ $0 }) else { fatalError("benchmark fixture used before setup") }
        return value
    }

    public func take() -> Value? { slot.withLock { v in defer { v = nil }; return v } }
}
