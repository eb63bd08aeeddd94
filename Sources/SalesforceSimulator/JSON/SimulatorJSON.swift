import Foundation

/// A JSON value for event bodies (sObject fields, payloads) and control requests; named apart
/// from other modules' JSON types so that both can be imported together.
///
/// Objects serialize with their keys sorted, so the simulator's output is deterministic.
public enum SimulatorJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([SimulatorJSON])
    case object([String: SimulatorJSON])

    /// The member `key` of an object, or `nil`.
    public subscript(key: String) -> SimulatorJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer value, if this is a number without a fraction (or a string holding one).
    public var int64Value: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9e18: return Int64(d)
        case .string(let s): return Int64(s)
        default: return nil
        }
    }

    /// The members, if this is an object.
    public var objectValue: [String: SimulatorJSON]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [SimulatorJSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Parses JSON text. Throws on malformed input.
    public init(parsing data: Data) throws {
        self = try JSONDecoder().decode(SimulatorJSON.self, from: data)
    }

    /// The compact JSON text of this value.
    public var serialized: Data { Data(bytes) }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        write(to: &out)
        return out
    }
}

extension SimulatorJSON: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([SimulatorJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: SimulatorJSON].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

extension SimulatorJSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: SimulatorJSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, SimulatorJSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

// MARK: - Serialization into bytes (hot path: no Foundation encoder)

extension SimulatorJSON {
    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: Self.nullBytes)
        case .bool(let b): out.append(contentsOf: b ? Self.trueBytes : Self.falseBytes)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d):
            if d.isFinite { out.append(contentsOf: (d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : "\(d)").utf8) }
            else { out.append(contentsOf: Self.nullBytes) }
        case .string(let s): JSONWriter.writeString(s, to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (n, v) in a.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                v.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (n, key) in o.keys.sorted().enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                o[key]!.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let nullBytes = Array("null".utf8)
    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
}

/// Low-level JSON text helpers.
enum JSONWriter {
    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(b)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 0xF)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// An ordered JSON object under construction: `["a": 1]`-style but keeps insertion order.
struct OrderedJSON {
    private(set) var members: [(String, SimulatorJSON)] = []

    init(_ members: [(String, SimulatorJSON)] = []) { self.members = members }

    mutating func set(_ key: String, _ value: SimulatorJSON?) {
        guard let value else { return }
        if let i = members.firstIndex(where: { $0.0 == key }) { members[i].1 = value }
        else { members.append((key, value)) }
    }

    func write(to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (n, (k, v)) in members.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(k, to: &out)
            out.append(UInt8(ascii: ":"))
            v.write(to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        write(to: &out)
        return out
    }
}
