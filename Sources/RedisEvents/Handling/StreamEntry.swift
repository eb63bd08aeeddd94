import Redis

/// One entry of a Redis stream, as `XREADGROUP` and `XCLAIM` return it.
struct StreamEntry: Sendable, Equatable {
    /// The entry ID, e.g. `1718000000000-0`.
    let id: String
    /// The field/value pairs in stream order; nil when the entry was deleted (trimmed by
    /// `MAXLEN`) while it was still pending.
    let fields: [Field]?

    struct Field: Sendable, Equatable {
        let name: String
        let value: String
    }

    /// The value of the first field called `name`.
    func field(_ name: String) -> String? {
        fields?.first { $0.name == name }?.value
    }

    /// Parses one `[id, [field, value, ...]]` element.
    init(reply: RESPValue) throws(RedisError) {
        guard let parts = reply.arrayValue, parts.count == 2, let id = parts[0].stringValue else {
            throw Self.unexpected("a stream entry", reply)
        }
        self.id = id
        if parts[1].isNull {
            self.fields = nil
            return
        }
        guard let flat = parts[1].arrayValue, flat.count % 2 == 0 else {
            throw Self.unexpected("the fields of stream entry \(id)", parts[1])
        }
        var fields: [Field] = []
        fields.reserveCapacity(flat.count / 2)
        for index in stride(from: 0, to: flat.count, by: 2) {
            guard let name = flat[index].stringValue, let value = flat[index + 1].stringValue else {
                throw Self.unexpected("a text field of stream entry \(id)", flat[index])
            }
            fields.append(Field(name: name, value: value))
        }
        self.fields = fields
    }

    init(id: String, fields: [Field]?) {
        self.id = id
        self.fields = fields
    }

    /// The entries of an `XREADGROUP` reply for one stream (`nil` reply: none arrived in time).
    static func entries(fromRead reply: RESPValue) throws(RedisError) -> [StreamEntry] {
        if reply.isNull { return [] }
        guard let streams = reply.arrayValue else { throw unexpected("an XREADGROUP reply", reply) }
        var entries: [StreamEntry] = []
        for stream in streams {
            guard let pair = stream.arrayValue, pair.count == 2, let list = pair[1].arrayValue else {
                throw unexpected("a stream in an XREADGROUP reply", stream)
            }
            for element in list { entries.append(try StreamEntry(reply: element)) }
        }
        return entries
    }

    /// The entries of an `XCLAIM` reply (Redis 7 leaves out deleted entries; older servers send nil).
    static func entries(fromClaim reply: RESPValue) throws(RedisError) -> [StreamEntry] {
        guard let list = reply.arrayValue else { throw unexpected("an XCLAIM reply", reply) }
        var entries: [StreamEntry] = []
        for element in list where !element.isNull {
            entries.append(try StreamEntry(reply: element))
        }
        return entries
    }

    static func unexpected(_ what: String, _ reply: RESPValue) -> RedisError {
        RedisError(kind: .protocolError, message: "expected \(what), got \(reply)")
    }
}

/// One line of an extended `XPENDING` reply: an entry delivered but not yet acknowledged.
struct PendingEntry: Sendable, Equatable {
    let id: String
    let consumer: String
    let idleMilliseconds: Int64
    /// How many times the entry was delivered (Redis's delivery counter).
    let deliveries: Int

    static func entries(from reply: RESPValue) throws(RedisError) -> [PendingEntry] {
        guard let list = reply.arrayValue else { throw StreamEntry.unexpected("an XPENDING reply", reply) }
        var entries: [PendingEntry] = []
        for element in list {
            guard let parts = element.arrayValue, parts.count == 4,
                  let id = parts[0].stringValue, let consumer = parts[1].stringValue,
                  let idle = parts[2].integerValue, let deliveries = parts[3].integerValue else {
                throw StreamEntry.unexpected("an XPENDING entry", element)
            }
            entries.append(PendingEntry(id: id, consumer: consumer, idleMilliseconds: idle, deliveries: Int(deliveries)))
        }
        return entries
    }
}

/// Names of the Redis keys events use.
enum EventStreamName {
    /// The stream a service dispatches to, like Nameko's `<service>.events` exchange.
    static func events(of service: String) -> String { "\(service).events" }
    /// Where events a handler gave up on are copied, with the error.
    static func deadLetters(of service: String) -> String { "\(service).events.dead" }
}

/// The stream fields of an event message.
enum EventField {
    static let type = "type"
    static let payload = "payload"
    static let sourceService = "source_service"
    static let callID = "call_id"
    /// Prefix of context-data fields (Nameko's `nameko.<key>` headers).
    static let contextPrefix = "ctx."
}
