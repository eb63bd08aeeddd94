import Redis
@testable import RedisEvents

extension RedisConnection {
    /// Every entry of `stream` (XRANGE - +).
    func entries(_ stream: String) async throws -> [StreamEntry] {
        try StreamEntry.entries(fromClaim: try command(["XRANGE", stream, "-", "+"]))
    }

    /// How many entries of `group` on `stream` are delivered but not acknowledged.
    func pendingCount(_ stream: String, group: String) async throws -> Int64 {
        let summary = try command(["XPENDING", stream, group])
        return summary.arrayValue?.first?.integerValue ?? -1
    }
}
