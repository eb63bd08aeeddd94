/// The events of the replies a session read that its consumer has not taken yet, oldest first:
/// one array per reply, as it came (appending a reply to the one before copied its events).
struct ReplyBuffer {
    /// The oldest reply's events, taken from `index` on.
    private var current: [BayeuxMessage] = []
    private var index = 0
    private var later: [[BayeuxMessage]] = []

    /// Whether no event is left to take.
    var isEmpty: Bool { index == current.count }

    /// Replies with events left to take.
    var replies: Int { (isEmpty ? 0 : 1) + later.count }

    /// Adds a reply's events (not empty) after those buffered.
    mutating func append(_ events: [BayeuxMessage]) {
        if isEmpty {
            current = events
            index = 0
        } else {
            later.append(events)
        }
    }

    /// Takes the next event; only when not ``isEmpty``.
    mutating func takeEvent() -> BayeuxMessage {
        let message = current[index]
        index += 1
        if index == current.count { advance() }
        return message
    }

    /// Takes what is left of the oldest reply; only when not ``isEmpty``.
    mutating func takeReply() -> [BayeuxMessage] {
        var events: [BayeuxMessage] = []
        swap(&events, &current)
        if index > 0 { events.removeFirst(index) }
        advance()
        return events
    }

    mutating func removeAll() {
        self = ReplyBuffer()
    }

    /// Moves on to the next reply once the oldest was taken.
    private mutating func advance() {
        index = 0
        // Not keeping the taken reply's storage: the next reply comes in an array of its own.
        current = later.isEmpty ? [] : later.removeFirst()
    }
}
