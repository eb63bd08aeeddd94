import Synchronization

/// A JSON value kept as its text, already checked, and decoded the first time it is read.
///
/// A Bayeux reply carries up to a thousand events; decoding each event's `data` only when a
/// handler reads it keeps one reply's text in memory instead of all its decoded values, and
/// lets the decoding run on the worker that handles the event rather than on the connection.
/// The text is a value of a ``CheckedDocument`` (the whole reply), which stays in memory until
/// every value made from it was decoded or released (decoding lets go of it). Immutable for its users (decoding only
/// changes how the value is held), so it gives value semantics to the structs that hold it.
package final class LazyJSONValue: Sendable, Hashable {
    /// The value's text, or the value once decoded, and the members read from the text so far.
    /// A struct changed in place under the lock: reading a member copies none of it.
    private struct State {
        /// The checked document the value's text is part of, and which of its values it is;
        /// nil once decoded.
        var text: (document: CheckedDocument, index: Int)?
        var decoded: JSONValue?
        var members = Members()
    }

    private struct Member {
        let path: [String]
        let value: JSONValue?
    }

    /// The members read from the text: the first one inline (a handler usually reads one, and
    /// an array would cost an allocation per event), any further ones in an array.
    private struct Members {
        var first: Member?
        var more: [Member] = []

        var count: Int { first == nil ? 0 : 1 + more.count }

        func find(_ path: [String]) -> Member? {
            if let first, first.path == path { return first }
            return more.first { $0.path == path }
        }

        mutating func append(_ member: Member) {
            if first == nil { first = member } else { more.append(member) }
        }
    }

    /// Members read from the text before the whole value is decoded instead: a handler that
    /// reads one part of an event (its `sobject`) decodes only that part.
    private static let memberLimit = 4

    private let state: Mutex<State>

    /// Keeps value `index` of `document`, decoded when first read (the member its check looked
    /// up, an event's replay ID, is read from the document as found).
    package init(_ document: CheckedDocument, index: Int) {
        self.state = Mutex(State(text: (document, index)))
    }

    package init(_ value: JSONValue) {
        self.state = Mutex(State(decoded: value))
    }

    /// The value, decoded on first use (under the value's lock: a concurrent reader waits for
    /// that one decoding rather than doing its own).
    package var value: JSONValue {
        state.withLock { Self.decodedValue(&$0) }
    }

    /// Decodes the text if that was not done yet, letting go of the reply and the members read.
    private static func decodedValue(_ state: inout State) -> JSONValue {
        if let decoded = state.decoded { return decoded }
        let value = state.text.map { $0.document.decode($0.index) } ?? .null
        state = State(decoded: value)
        return value
    }

    /// The member at `path` (object member names; nil when a level is missing or not an object),
    /// the same as subscripting ``value`` level by level. Until the value is decoded, it is read
    /// from the text and kept: an event's replay ID is needed before its handler runs, and a
    /// handler that reads only `sobject` need not decode the rest. After a few different members,
    /// the whole value is decoded instead.
    package func member(at path: [String]) -> JSONValue? {
        state.withLock { state in
            if let decoded = state.decoded { return Self.member(at: path, of: decoded) }
            if let known = state.members.find(path) { return known.value }
            guard state.members.count < Self.memberLimit, let text = state.text else {
                return Self.member(at: path, of: Self.decodedValue(&state))
            }
            let found = text.document.member(of: text.index, at: path)
            state.members.append(Member(path: path, value: found))
            return found
        }
    }

    private static func member(at path: [String], of value: JSONValue) -> JSONValue? {
        var current: JSONValue? = value
        for name in path { current = current?[name] }
        return current
    }

    package static func == (lhs: LazyJSONValue, rhs: LazyJSONValue) -> Bool {
        lhs === rhs || lhs.value == rhs.value
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(value)
    }
}
