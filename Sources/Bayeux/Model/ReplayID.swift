/// A Salesforce replay ID: the opaque JSON value the server put in `data.event.replayId`.
///
/// Salesforce documents replay IDs as opaque (usually integers today), so the exact value is kept
/// and sent back unchanged.
public struct ReplayID: Sendable, Hashable, CustomStringConvertible {
    /// The value as the server sent it.
    public let value: JSONValue

    public init(_ value: JSONValue) {
        self.value = value
    }

    /// Restores an ID from ``storageText``. Text that is not JSON is kept as an opaque string, so
    /// an integer written as `123` (as the Python original stored `int(replay_id)`) becomes the
    /// integer 123. Returns `nil` for empty text and for JSON `null`.
    public init?(storageText: String) {
        guard !storageText.isEmpty else { return nil }
        if let parsed = try? JSONValue(parsing: storageText) {
            if parsed == .null { return nil }
            value = parsed
        } else {
            value = .string(storageText)
        }
    }

    /// The compact JSON text of the value (`123` for an integer, `"abc"` with quotes for a string).
    public var storageText: String { value.description }

    public var description: String {
        if case .string(let s) = value { return s }
        return value.description
    }
}
