#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A document (a Bayeux reply) with values in it that were checked while it was read, and what
/// the check found for each: where its text is, the member it looked up on the way (an event's
/// replay ID) and where its top-level members are.
///
/// One object for a whole reply: its thousand events cost no allocation each while the reply is
/// read and routed. Each event's ``LazyJSONValue`` is made by the worker that handles it, so what
/// it decodes is allocated and freed on that worker's thread: values allocated on the reply
/// reader's thread and freed on the workers' were the most contended of malloc's locks.
package final class CheckedDocument: Sendable {
    /// One checked value of the document.
    package struct Value: Sendable {
        /// Where its text is in the document.
        let range: Range<Int>
        /// The member at the document's `knownPath`, found while checking (nil: missing).
        let known: JSONValue?
        /// Where its members are, when the check noted all of them.
        let offsets: MemberOffsets?

        /// A value at `range` that the caller checked, looking up `known` on the way, the
        /// member at the document's `knownPath`, and noting its members' `offsets`.
        package init(range: Range<Int>, known: JSONValue?, offsets: MemberOffsets?) {
            self.range = range
            self.known = known
            self.offsets = offsets.flatMap { $0.isComplete ? $0 : nil }
        }
    }

    /// The document's bytes (not a `Data`: reading those goes through its storage class's
    /// properties, three dynamic exclusivity checks per read of an event).
    let text: [UInt8]
    /// The member every value's check looked up (an event's replay ID), if any.
    let knownPath: [String]?
    private let values: [Value]

    /// A document and its checked values (`knownPath`: the member each check looked up).
    package init(_ text: [UInt8], knownPath: [String]?, values: [Value]) {
        self.text = text
        self.knownPath = knownPath
        self.values = values
    }

    /// The member at `path` of value `index` (object member names; nil when a level is missing or
    /// not an object), read from the text each time: straight from its value's text when the
    /// check noted where the first level's members are, else by scanning.
    package func member(of index: Int, at path: [String]) -> JSONValue? {
        if let knownPath, knownPath == path { return values[index].known }
        let value = values[index]
        guard let offsets = value.offsets, let name = path.first else {
            return withParser(value.range) { parser in (try? parser.member(at: path[...])) ?? nil }
        }
        return text.withUnsafeBytes { raw -> JSONValue? in
            guard let valueRange = offsets.valueRange(of: name, in: raw) else { return nil }
            var parser = JSONParser(bytes: UnsafeRawBufferPointer(rebasing: raw[valueRange]))
            return (try? parser.member(at: path.dropFirst())) ?? nil
        }
    }

    /// Value `index`, decoded (each time: a ``LazyJSONValue`` keeps it).
    ///
    /// Checked text always parses (``JSONParser/skipValue()`` accepts what the parser accepts,
    /// which the JSON tests check); `null` stands in should that ever not hold.
    package func decode(_ index: Int) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = withParser(values[index].range) { parser in
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

    private func withParser<R>(_ range: Range<Int>, _ body: (inout JSONParser) -> R) -> R {
        text.withUnsafeBytes { raw in
            var parser = JSONParser(bytes: UnsafeRawBufferPointer(rebasing: raw[range]))
            return body(&parser)
        }
    }
}

/// A JSON value as a message carries it: a checked value of its reply, not decoded yet, or a
/// value of its own.
package enum JSONPayload: Sendable, Hashable {
    case checked(CheckedDocument, index: Int)
    case value(LazyJSONValue)

    /// The value (a checked one decoded each time it is asked for).
    package var decoded: JSONValue {
        switch self {
        case .checked(let document, let index): document.decode(index)
        case .value(let value): value.value
        }
    }

    /// The member at `path`, the same as subscripting ``decoded`` level by level.
    package func member(at path: [String]) -> JSONValue? {
        switch self {
        case .checked(let document, let index): document.member(of: index, at: path)
        case .value(let value): value.member(at: path)
        }
    }

    /// The value as a ``LazyJSONValue``: a new one (decoded once, when first read) for a checked
    /// value, the message's own otherwise.
    package var lazy: LazyJSONValue {
        switch self {
        case .checked(let document, let index): LazyJSONValue(document, index: index)
        case .value(let value): value
        }
    }

    /// Equal when the values are (checked text is decoded to compare).
    package static func == (lhs: JSONPayload, rhs: JSONPayload) -> Bool { lhs.decoded == rhs.decoded }
    package func hash(into hasher: inout Hasher) { hasher.combine(decoded) }
}
