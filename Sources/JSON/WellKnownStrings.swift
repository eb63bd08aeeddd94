#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// The strings by UTF-8 length, each with its bytes.
    private static let byLength: [[(bytes: [UInt8], string: String)]] = {
        var table = Array(repeating: [(bytes: [UInt8], string: String)](), count: maximumLength + 1)
        for string in strings { table[string.utf8.count].append((Array(string.utf8), string)) }
        return table
    }()

    private static let maximumLength = 24

    /// The well-known string with exactly these UTF-8 bytes, if there is one.
    static func string(for text: UnsafeRawBufferPointer) -> String? {
        guard text.count <= maximumLength, !text.isEmpty else { return nil }
        for entry in byLength[text.count] where entry.bytes.withUnsafeBytes({ memcmp($0.baseAddress!, text.baseAddress!, text.count) == 0 }) {
            return entry.string
        }
        return nil
    }
}
