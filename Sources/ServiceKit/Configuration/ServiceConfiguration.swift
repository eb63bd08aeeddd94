import Foundation
import Yams

/// A service's configuration: the YAML file Nameko services use, with `${ENV_VAR}` and
/// `${ENV_VAR:default}` substituted from the environment.
///
/// ```yaml
/// max_workers: 10
/// SALESFORCE:
///   USERNAME: ${SALESFORCE_USERNAME}
///   LOGIN_URL: ${SALESFORCE_LOGIN_URL:https://login.salesforce.com}
/// ```
///
/// Keys are addressed by dotted paths (`SALESFORCE.USERNAME`); typed accessors throw a
/// ``ConfigurationError`` that names the key when it is missing or has the wrong type.
public struct ServiceConfiguration: Sendable, Hashable {
    /// The whole configuration tree (a mapping at the top).
    public let root: ConfigValue

    /// An empty configuration (every key missing, defaults apply).
    public init() {
        self.root = .mapping([:])
    }

    public init(_ root: ConfigValue) {
        self.root = root
    }

    /// Reads a YAML file and substitutes environment variables in its values.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServiceConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError.fileNotFound(path: path)
        }
        return try parse(yaml: String(decoding: data, as: UTF8.self), environment: environment, source: path)
    }

    /// Parses YAML text and substitutes environment variables in its values.
    public static func parse(yaml: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                             source: String = "<string>") throws -> ServiceConfiguration {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationError.invalidYAML(path: source, reason: "\(error)")
        }
        guard let node else { return ServiceConfiguration() }
        let root = try convert(node, path: "", environment: environment)
        guard case .mapping = root else {
            throw ConfigurationError.invalidYAML(path: source, reason: "the top level must be a mapping of keys")
        }
        return ServiceConfiguration(root)
    }

    // MARK: Typed access

    /// The value at a dotted path, or nil when any part of it is missing or null.
    public func value(_ key: String) -> ConfigValue? {
        var current: ConfigValue? = root
        for part in key.split(separator: ".") {
            current = current?[String(part)]
        }
        if case .null = current { return nil }
        return current
    }

    /// The section at a dotted path as a configuration of its own, or an empty one.
    public func section(_ key: String) -> ServiceConfiguration {
        ServiceConfiguration(value(key) ?? .mapping([:]))
    }

    public func string(_ key: String) throws -> String {
        guard let value = try optionalString(key) else { throw ConfigurationError.missingKey(key) }
        return value
    }

    /// A string; numbers and booleans are accepted and written as text (a password of digits).
    public func optionalString(_ key: String) throws -> String? {
        switch value(key) {
        case nil: nil
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): String(b)
        case let other?: throw ConfigurationError.wrongType(key: key, expected: "a string", found: other.kind)
        }
    }

    public func optionalInt(_ key: String) throws -> Int? {
        switch value(key) {
        case nil: return nil
        case .int(let i): return i
        case .string(let s):
            guard let i = Int(s.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError.wrongType(key: key, expected: "an integer", found: "'\(s)'")
            }
            return i
        case let other?: throw ConfigurationError.wrongType(key: key, expected: "an integer", found: other.kind)
        }
    }

    public func optionalDouble(_ key: String) throws -> Double? {
        switch value(key) {
        case nil: return nil
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .string(let s):
            guard let d = Double(s.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError.wrongType(key: key, expected: "a number", found: "'\(s)'")
            }
            return d
        case let other?: throw ConfigurationError.wrongType(key: key, expected: "a number", found: other.kind)
        }
    }

    /// A boolean; YAML booleans and the strings true/false/yes/no/on/off/1/0 are accepted.
    public func optionalBool(_ key: String) throws -> Bool? {
        switch value(key) {
        case nil: return nil
        case .bool(let b): return b
        case .int(let i) where i == 0 || i == 1: return i == 1
        case .string(let s):
            switch s.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: throw ConfigurationError.wrongType(key: key, expected: "a boolean", found: "'\(s)'")
            }
        case let other?: throw ConfigurationError.wrongType(key: key, expected: "a boolean", found: other.kind)
        }
    }

    /// A version-like string (`64.0`); a YAML number such as `64.0` is accepted and written with one decimal.
    public func optionalVersion(_ key: String) throws -> String? {
        switch value(key) {
        case nil: return nil
        case .string(let s): return s
        case .int(let i): return "\(i).0"
        case .double(let d): return String(format: "%.1f", d)
        case let other?: throw ConfigurationError.wrongType(key: key, expected: "a version such as 64.0", found: other.kind)
        }
    }

    // MARK: Conversion from YAML

    private static func convert(_ node: Node, path: String, environment: [String: String]) throws -> ConfigValue {
        switch node {
        case .scalar(let scalar):
            guard scalar.string.contains("${") else {
                return scalar.style == .plain ? .resolvingPlainScalar(scalar.string) : .string(scalar.string)
            }
            let substituted = try EnvironmentSubstitution.substitute(scalar.string, environment: environment, key: path)
            return scalar.style == .plain ? .resolvingPlainScalar(substituted) : .string(substituted)
        case .mapping(let mapping):
            var result: [String: ConfigValue] = [:]
            for (key, value) in mapping {
                let name = key.string ?? "\(key)"
                result[name] = try convert(value, path: path.isEmpty ? name : "\(path).\(name)", environment: environment)
            }
            return .mapping(result)
        case .sequence(let sequence):
            return .array(try sequence.enumerated().map {
                try convert($0.element, path: "\(path)[\($0.offset)]", environment: environment)
            })
        case .alias(let alias):
            throw ConfigurationError.invalidValue(key: path, reason: "YAML alias \(alias) is not supported")
        }
    }
}
