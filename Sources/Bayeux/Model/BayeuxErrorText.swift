/// A Bayeux error string `code:args:message` (e.g. `403::Unknown client`,
/// `401:k3x9:Unknown client`), split into its parts.
public struct BayeuxErrorText: Sendable, Hashable, CustomStringConvertible {
    /// The numeric code, if the text starts with one.
    public var code: Int?
    /// The comma-separated arguments (often empty).
    public var arguments: [String]
    /// The human-readable part (may itself contain colons).
    public var message: String
    /// The text as received.
    public var raw: String

    public init(_ raw: String) {
        self.raw = raw
        let parts = raw.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        if parts.count == 3, let code = Int(Self.trimmingSpaces(parts[0])) {
            self.code = code
            arguments = parts[1].isEmpty ? [] : parts[1].split(separator: ",").map(String.init)
            message = String(parts[2])
        } else if let code = Int(raw.prefix { $0.isNumber }) {
            // e.g. "413 Maximum Request Size Exceeded"
            self.code = code
            arguments = []
            message = Self.trimmingSpaces(raw.drop { $0.isNumber })
        } else {
            code = nil
            arguments = []
            message = raw
        }
    }

    public var description: String { raw }

    /// `text` without leading and trailing tabs and Unicode space separators (what Foundation
    /// calls `.whitespaces`; line breaks are kept).
    private static func trimmingSpaces(_ text: Substring) -> String {
        let scalars = text.unicodeScalars
        let isSpace = { (scalar: Unicode.Scalar) in
            scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
        }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
