#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A value of the Redis serialization protocol (RESP2), as sent by the server.
///
/// Bulk strings are raw bytes (`Data`): Redis values are binary-safe, so nothing is decoded
/// unless you ask for ``stringValue``.
public enum RESPValue: Sendable, Hashable {
    /// A status reply such as `OK` or `PONG`.
    case simpleString(String)
    /// A bulk string: arbitrary bytes.
    case bulkString(Data)
    /// An integer reply.
    case integer(Int64)
    /// An array reply (for example from `LRANGE`, `EXEC`, `XREADGROUP`).
    case array([RESPValue])
    /// The null bulk string or null array (for example `GET` of a missing key).
    case null
    /// An error reply. `RedisConnection.command(_:)` throws these as
    /// ``RedisError/Kind/server`` instead of returning them; they appear as values
    /// inside pipelines and nested arrays (`EXEC`).
    case error(String)

    /// A bulk string holding the UTF-8 bytes of `string`.
    public static func string(_ string: String) -> RESPValue { .bulkString(Data(string.utf8)) }

    /// The text of a simple string, or of a bulk string that is valid UTF-8; otherwise `nil`.
    public var stringValue: String? {
        switch self {
        case .simpleString(let string): return string
        case .bulkString(let data): return String(data: data, encoding: .utf8)
        default: return nil
        }
    }

    /// The bytes of a bulk string (or the UTF-8 bytes of a simple string); otherwise `nil`.
    public var dataValue: Data? {
        switch self {
        case .bulkString(let data): return data
        case .simpleString(let string): return Data(string.utf8)
        default: return nil
        }
    }

    /// An integer reply, or a string reply holding a decimal integer; otherwise `nil`.
    public var integerValue: Int64? {
        switch self {
        case .integer(let value): return value
        case .simpleString, .bulkString: return stringValue.flatMap { Int64($0) }
        default: return nil
        }
    }

    /// The elements of an array reply; otherwise `nil`.
    public var arrayValue: [RESPValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Whether this is the null reply.
    public var isNull: Bool { self == .null }
}

extension RESPValue: CustomStringConvertible {
    public var description: String {
        switch self {
        case .simpleString(let string): return string
        case .bulkString(let data):
            if let string = String(data: data, encoding: .utf8) { return "\"\(string)\"" }
            return "<\(data.count) bytes>"
        case .integer(let value): return "(integer) \(value)"
        case .array(let elements): return "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .null: return "(nil)"
        case .error(let message): return "(error) \(message)"
        }
    }
}
