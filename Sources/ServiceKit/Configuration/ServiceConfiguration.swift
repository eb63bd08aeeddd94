#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import YAML

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
        let node: YAMLNode?
        do {
            node = try YAMLNode.parse(yaml, resolvingAliases: true)
        } catch {
            throw ConfigurationError.invalidYAML(path: source, reason: "\(error)")
        }
        guard let node else { return ServiceConfiguration() }
        let root = try convert(node, path: "", source: source, environment: environment)
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
            guard let i = Int(Self.trimmingWhitespace(s)) else {
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
            guard let d = Double(Self.trimmingWhitespace(s)) else {
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
        case .double(let d): return Self.oneDecimal(d)
        case let other?: throw ConfigurationError.wrongType(key: key, expected: "a version such as 64.0", found: other.kind)
        }
    }

    // MARK: Text helpers (FoundationEssentials has neither String(format:) nor CharacterSet.whitespaces)

    /// `text` without leading and trailing spaces and tabs (Unicode `Zs` and U+0009, as
    /// `CharacterSet.whitespaces`).
    private static func trimmingWhitespace(_ text: String) -> Substring {
        func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }),
              let last = scalars.lastIndex(where: { !isWhitespace($0) }) else { return "" }
        return Substring(scalars[first...last])
    }

    /// `value` as C's `%.1f` writes it (`64.0`), i.e. what `String(format: "%.1f", value)` gave.
    private static func oneDecimal(_ value: Double) -> String {
        // %.1f of the largest Double is 311 characters; 512 always holds it and the terminator.
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buffer in
            let count = withVaList([value]) { vsnprintf(buffer.baseAddress, buffer.count, "%.1f", $0) }
            let length = max(0, min(Int(count), buffer.count - 1))
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: length), as: UTF8.self)
        }
    }

    // MARK: Conversion from YAML

    private static func convert(_ node: YAMLNode, path: String, source: String,
                                environment: [String: String]) throws -> ConfigValue {
        switch node {
        case .scalar(let text, let plain):
            guard text.contains("${") else {
                return plain ? .resolvingPlainScalar(text) : .string(text)
            }
            let substituted = try EnvironmentSubstitution.substitute(text, environment: environment, key: path)
            return plain ? .resolvingPlainScalar(substituted) : .string(substituted)
        case .mapping(let pairs):
            // A key is named by its text (a non-scalar key, useless in configuration, by its description).
            let names = pairs.map { $0.key.string ?? String(describing: $0.key) }
            var seen = Set<String>()
            let duplicates = Set(names.filter { !seen.insert($0).inserted })
            guard duplicates.isEmpty else {
                throw ConfigurationError.invalidYAML(path: source, reason:
                    "expected all keys to be unique but found the following duplicated key(s)"
                    + (path.isEmpty ? "" : " in \(path)") + ": "
                    + duplicates.sorted().map { "'\($0)'" }.joined(separator: ", "))
            }
            var result: [String: ConfigValue] = [:]
            for (name, pair) in zip(names, pairs) {
                result[name] = try convert(pair.value, path: path.isEmpty ? name : "\(path).\(name)",
                                           source: source, environment: environment)
            }
            return .mapping(result)
        case .sequence(let sequence):
            return .array(try sequence.enumerated().map {
                try convert($0.element, path: "\(path)[\($0.offset)]", source: source, environment: environment)
            })
        case .alias(let alias):
            throw ConfigurationError.invalidValue(key: path, reason: "YAML alias \(alias) is not supported")
        }
    }
}
