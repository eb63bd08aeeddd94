/// A problem with the configuration, naming the key it concerns.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case invalidYAML(path: String, reason: String)
    case missingKey(String)
    case wrongType(key: String, expected: String, found: String)
    case invalidValue(key: String, reason: String)
    case undefinedEnvironmentVariable(name: String, key: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path): "configuration file not found: \(path)"
        case .invalidYAML(let path, let reason): "configuration file \(path) is not valid YAML: \(reason)"
        case .missingKey(let key): "configuration key \(key) is missing"
        case .wrongType(let key, let expected, let found): "configuration key \(key) must be \(expected), found \(found)"
        case .invalidValue(let key, let reason): "configuration key \(key) is invalid: \(reason)"
        case .undefinedEnvironmentVariable(let name, let key):
            "configuration key \(key) uses environment variable \(name), which is not set and has no default (write ${\(name):default})"
        }
    }
}
