import Redis

/// Reads what loss-check-service recorded: `HINCRBY losscheck:handled <channel>:<n> 1` per handled event.
struct HandledLedgerReader: Sendable {
    static let key = "losscheck:handled"
    let redis: RedisConnection

    /// Distinct events handled so far.
    func distinct() async throws -> Int {
        Int(try await redis.command(["HLEN", Self.key]).integerValue ?? 0)
    }

    /// Times each event (`<channel>:<n>`) was handled.
    func counts() async throws -> [String: Int] {
        let reply = try await redis.command(["HGETALL", Self.key]).arrayValue ?? []
        var counts: [String: Int] = [:]
        var index = 0
        while index + 1 < reply.count {
            if let field = reply[index].stringValue, let value = reply[index + 1].integerValue {
                counts[field] = Int(value)
            }
            index += 2
        }
        return counts
    }
}

/// The outcome of a run, from the ledger and what was published.
struct LossReport: Sendable {
    var published: Int
    var lost: [String: [Int]] = [:]
    var lostCount = 0
    var duplicates = 0
    /// Ledger entries for events never published (would mean the test or the service is wrong).
    var unknown: [String] = []

    /// - Parameter published: per channel, the events numbered 1...n that were published.
    init(counts: [String: Int], published: [String: Int]) {
        self.published = published.values.reduce(0, +)
        var expected = Set<String>()
        for (channel, last) in published {
            for number in stride(from: 1, through: last, by: 1) {
                let key = "\(channel):\(number)"
                expected.insert(key)
                if counts[key] == nil {
                    lost[channel, default: []].append(number)
                    lostCount += 1
                }
            }
        }
        for (key, count) in counts {
            if expected.contains(key) { duplicates += max(0, count - 1) } else { unknown.append(key) }
        }
    }
}
