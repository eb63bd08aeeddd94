/// Member names and values that every Bayeux and Salesforce message repeats: parsing returns
/// these strings instead of making (and validating) the same text again for every event.
enum WellKnownStrings {
    private static let strings = [
        "channel", "clientId", "data", "ext", "id", "successful", "advice", "error", "subscription",
        "event", "createdDate", "replayId", "type", "sobject", "payload", "schema", "EventUuid",
        "created", "updated", "deleted", "undeleted", "Id", "Name", "attributes", "url",
        "ChangeEventHeader", "entityName", "changeType", "changeOrigin", "transactionKey",
        "sequenceNumber", "commitTimestamp", "commitNumber", "commitUser", "recordIds",
    ]

    /// A string's UTF-8 bytes as three little-endian words (zero-padded), and the string.
    private struct Entry {
        let words: (UInt64, UInt64, UInt64)
        let string: String
    }

    private static let maximumLength = 24

    /// The entries by UTF-8 length.
    private static let byLength: [[Entry]] = {
        var table = Array(repeating: [Entry](), count: maximumLength + 1)
        for string in strings {
            let bytes = Array(string.utf8)
            let words = bytes.withUnsafeBytes { Self.words(of: $0) }
            table[bytes.count].append(Entry(words: words, string: string))
        }
        return table
    }()

    /// The well-known string with exactly these UTF-8 bytes, if there is one.
    static func string(for text: UnsafeRawBufferPointer) -> String? {
        guard text.count <= maximumLength, !text.isEmpty else { return nil }
        let candidates = byLength[text.count]
        guard !candidates.isEmpty else { return nil }
        let words = words(of: text)
        for index in candidates.indices where candidates[index].words == words {
            return candidates[index].string
        }
        return nil
    }

    /// The bytes (at most 24) as three words, zero-padded.
    private static func words(of bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64, UInt64) {
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes.prefix(24))) }
        return words
    }
}
