/// The retained events of one channel, each serialized once at publish.
///
/// Events have an absolute sequence number (0, 1, 2, ...) that never changes; subscribers keep a
/// cursor (the next sequence number to deliver), so delivering an event is O(1) and no event is
/// copied per subscriber. Purged events move ``firstSequence`` forward.
///
/// Owned by the ``SimulatedOrg`` actor (not shared across isolation domains).
final class ChannelLog {
    struct Event {
        let replayID: Int64
        let publishedAt: ContinuousClock.Instant
        /// The whole message `{"data":...,"channel":...}` as JSON text.
        let json: [UInt8]
    }

    let name: String
    let kind: SimulatedChannelKind
    /// A stable 22-character schema ID (platform events and CDC put it in `data.schema`).
    let schemaID: String
    let channelJSON: [UInt8]

    private var events: [Event] = []
    private var head = 0
    /// The sequence number of `events[head]`.
    private(set) var firstSequence: Int64 = 0
    /// The sequence number the next published event gets.
    private(set) var nextSequence: Int64 = 0
    private(set) var published = 0
    var delivered = 0
    /// Client IDs subscribed to this channel (to wake their long polls on publish).
    var subscribers: Set<String> = []

    init(name: String, kind: SimulatedChannelKind, schemaID: String) {
        self.name = name
        self.kind = kind
        self.schemaID = schemaID
        var quoted: [UInt8] = []
        JSONValue.writeString(name, to: &quoted)
        self.channelJSON = quoted
    }

    var retainedCount: Int { events.count - head }
    var latestReplayID: Int64? { retainedCount > 0 ? events[events.count - 1].replayID : nil }
    var oldestReplayID: Int64? { retainedCount > 0 ? events[head].replayID : nil }

    func append(replayID: Int64, json: [UInt8], at now: ContinuousClock.Instant) {
        events.append(Event(replayID: replayID, publishedAt: now, json: json))
        nextSequence += 1
        published += 1
    }

    /// Purges events beyond `maxCount` or older than `maxAge`.
    func purge(maxCount: Int, maxAge: Duration, now: ContinuousClock.Instant) {
        while retainedCount > maxCount || (retainedCount > 0 && now - events[head].publishedAt > maxAge) {
            head += 1
            firstSequence += 1
        }
        if head > 1024 && head * 2 > events.count {
            events.removeFirst(head)
            head = 0
        }
    }

    /// The event with this sequence number; it must be retained.
    func event(at sequence: Int64) -> Event {
        events[head + Int(sequence - firstSequence)]
    }

    /// The sequence number of the first retained event whose replay ID is greater than `replayID`
    /// (``nextSequence`` if none).
    func sequence(after replayID: Int64) -> Int64 {
        var low = head, high = events.count
        while low < high {
            let mid = (low + high) / 2
            if events[mid].replayID <= replayID { low = mid + 1 } else { high = mid }
        }
        return firstSequence + Int64(low - head)
    }
}
