/// A configuration value, as read from YAML after `${ENV}` substitution.
public enum ConfigValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([ConfigValue])
    case mapping([String: ConfigValue])

    /// The value under `key` when this is a mapping.
    public subscript(key: String) -> ConfigValue? {
        if case .mapping(let mapping) = self { return mapping[key] }
        return nil
    }

    /// A short name of the value's kind, for error messages.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .array: "a list"
        case .mapping: "a mapping"
        }
    }

    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .int(let i): "\(i)"
        case .double(let d): "\(d)"
        case .string(let s): s
        case .array(let a): "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .mapping(let m): "{" + m.keys.sorted().map { "\($0): \(m[$0]!)" }.joined(separator: ", ") + "}"
        }
    }

    /// Types a plain (unquoted) YAML scalar as YAML's core schema does.
    static func resolvingPlainScalar(_ text: String) -> ConfigValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let int = Int(text) { return .int(int) }
        if text.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true,
           let double = Double(text) {
            return .double(double)
        }
        return .string(text)
    }
}
