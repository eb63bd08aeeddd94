#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// A JSON value kept as its text, already checked, and decoded the first time it is read.
///
/// A Bayeux reply carries up to a thousand events; decoding each event's `data` only when a
/// handler reads it keeps one reply's text in memory instead of all its decoded values, and
/// lets the decoding run on the worker that handles the event rather than on the connection.
/// Immutable for its users (the decoded value is a cache), so it gives value semantics to the
/// structs that hold it.
package final class LazyJSONValue: Sendable, Hashable {
    /// The reply the value's text is part of, and where in it (checked by ``JSONParser/skipValue()``
    /// or ``JSONParser/member(at:)``); nil once made from a value.
    private let text: (document: Data, range: Range<Int>)?
    /// One member looked up while the text was checked (an event's replay ID, needed before its
    /// handler runs), so reading it does not scan the text again.
    private let knownMember: (path: [String], value: JSONValue?)?
    private let decoded: Mutex<JSONValue?>

    /// Keeps the value at `range` of `document` (offsets from its start), which the caller
    /// checked; `member` is the member at `path` found while checking, if one was looked up.
    package init(checkedText range: Range<Int>, of document: Data, member: (path: [String], value: JSONValue?)? = nil) {
        self.text = (document, range)
        self.knownMember = member
        self.decoded = Mutex(nil)
    }

    package init(_ value: JSONValue) {
        self.text = nil
        self.knownMember = nil
        self.decoded = Mutex(value)
    }

    /// The value, decoded on first use.
    package var value: JSONValue {
        if let value = decoded.withLock({ $0 }) { return value }
        let value = text.map { Self.decode($0.range, of: $0.document) } ?? .null
        decoded.withLock { $0 = value }
        return value
    }

    /// The member at `path` (object member names), read from the text when the value was not
    /// decoded yet: the replay ID of an event is needed before its handler runs.
    package func member(at path: [String]) -> JSONValue? {
        if let knownMember, knownMember.path == path { return knownMember.value }
        if let value = decoded.withLock({ $0 }) {
            var current: JSONValue? = value
            for name in path { current = current?[name] }
            return current
        }
        guard let text else { return nil }
        return Self.withParser(text.range, of: text.document) { parser in
            (try? parser.member(at: path[...])) ?? nil
        }
    }

    /// Checked text always parses (``JSONParser/skipValue()`` accepts what the parser accepts,
    /// which the JSON tests check); `null` stands in should that ever not hold.
    private static func decode(_ range: Range<Int>, of document: Data) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = withParser(range, of: document) { parser in
            do throws(JSONParseError) {
                return .success(try parser.parseDocument())
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error):
            assertionFailure("checked JSON text did not parse: \(error)")
            return .null
        }
    }

    private static func withParser<R>(_ range: Range<Int>, of document: Data, _ body: (inout JSONParser) -> R) -> R {
        document.withUnsafeBytes { raw in
            var parser = JSONParser(bytes: UnsafeRawBufferPointer(rebasing: raw[range]))
            return body(&parser)
        }
    }

    package static func == (lhs: LazyJSONValue, rhs: LazyJSONValue) -> Bool {
        lhs === rhs || lhs.value == rhs.value
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(value)
    }
}
