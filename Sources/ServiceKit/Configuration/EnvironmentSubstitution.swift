/// Nameko's `${ENV_VAR}` / `${ENV_VAR:default}` substitution inside configuration values.
///
/// Defaults may themselves contain references (`${A:${B:fallback}}`); a variable that is unset and
/// has no default is an error naming it, never a silent empty string.
enum EnvironmentSubstitution {
    static func substitute(_ text: String, environment: [String: String], key: String) throws -> String {
        var output = ""
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = matchingBrace(in: rest, openingAt: start.upperBound) else {
                throw ConfigurationError.invalidValue(key: key, reason: "unclosed ${ in '\(text)'")
            }
            let body = rest[start.upperBound..<end]
            let name: Substring
            let fallback: Substring?
            if let colon = body.firstIndex(of: ":") {
                name = body[..<colon]
                fallback = body[body.index(after: colon)...]
            } else {
                name = body
                fallback = nil
            }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw ConfigurationError.invalidValue(key: key, reason: "invalid environment variable name '\(name)' in '\(text)'")
            }
            if let value = environment[String(name)] {
                output += value
            } else if let fallback {
                output += try substitute(String(fallback), environment: environment, key: key)
            } else {
                throw ConfigurationError.undefinedEnvironmentVariable(name: String(name), key: key)
            }
            rest = rest[rest.index(after: end)...]
        }
        return output + rest
    }

    /// The index of the `}` closing a `${` whose body starts at `bodyStart`, allowing nesting.
    private static func matchingBrace(in text: Substring, openingAt bodyStart: Substring.Index) -> Substring.Index? {
        var depth = 1
        var index = bodyStart
        while index < text.endIndex {
            if text[index] == "}" {
                depth -= 1
                if depth == 0 { return index }
            } else if text[index] == "$", text.index(after: index) < text.endIndex, text[text.index(after: index)] == "{" {
                depth += 1
                index = text.index(after: index)
            }
            index = text.index(after: index)
        }
        return nil
    }
}
