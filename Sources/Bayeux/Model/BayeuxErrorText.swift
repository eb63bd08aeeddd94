import Foundation

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
        if parts.count == 3, let code = Int(parts[0].trimmingCharacters(in: .whitespaces)) {
            self.code = code
            arguments = parts[1].isEmpty ? [] : parts[1].split(separator: ",").map(String.init)
            message = String(parts[2])
        } else if let code = Int(raw.prefix { $0.isNumber }) {
            // e.g. "413 Maximum Request Size Exceeded"
            self.code = code
            arguments = []
            message = String(raw.drop { $0.isNumber }).trimmingCharacters(in: .whitespaces)
        } else {
            code = nil
            arguments = []
            message = raw
        }
    }

    public var description: String { raw }
}
