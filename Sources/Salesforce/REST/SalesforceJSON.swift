/// A JSON value as the Salesforce REST API sends and accepts it.
///
/// Numbers are `Double` (Salesforce numbers fit; IDs and dates are strings).
public enum SalesforceJSON: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([SalesforceJSON])
    case object([String: SalesforceJSON])

    /// A JSON object, e.g. one record (`["Id": "001…", "Name": "Acme"]`).
    public typealias Object = [String: SalesforceJSON]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([SalesforceJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: SalesforceJSON].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The member `key` of an object, or nil.
    public subscript(key: String) -> SalesforceJSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The string, or nil if this is not a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number, or nil if this is not a number.
    public var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The Boolean, or nil if this is not a Boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, or nil if this is not an array.
    public var arrayValue: [SalesforceJSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members, or nil if this is not an object.
    public var objectValue: Object? {
        if case .object(let value) = self { return value }
        return nil
    }
}

extension SalesforceJSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: SalesforceJSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, SalesforceJSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
