import Bayeux

/// What a handler calls to dispatch an event: `try await dispatch("lead_created", payload)`.
///
/// ``EventDispatcher`` gives workers a value that writes to Redis; tests replace it with their
/// own conforming type (`container.replaceDependency(\.$dispatch, with: Recording())`).
public protocol EventDispatching: Sendable {
    /// Dispatches an event of `eventType` with `payload` from the current service.
    /// Throws when the event could not be stored; the worker then fails.
    func callAsFunction(_ eventType: String, _ payload: JSONValue) async throws
}
