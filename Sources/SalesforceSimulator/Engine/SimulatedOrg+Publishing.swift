import Foundation

/// Publishing: each event is serialized to its final JSON once, here, and stored in its channel.
///
/// PushTopic records turn record changes into ``SimulatedEventBody/sobject(_:type:)`` bodies and
/// publish them here for each matching `/topic/...` channel (`SimulatedOrg+PushTopics.swift`).
extension SimulatedOrg {
    /// Publishes one event; returns its replay ID.
    @discardableResult
    public func publish(_ body: SimulatedEventBody, to channel: String) throws(SimulatorError) -> Int64 {
        try publish([body], to: channel)[0]
    }

    /// Publishes events in order; returns their replay IDs.
    @discardableResult
    public func publish(_ bodies: [SimulatedEventBody], to channel: String) throws(SimulatorError) -> [Int64] {
        let log = try existingChannel(channel)
        let date = timestamp()
        let encoded = try bodies.map { body throws(SimulatorError) in try encode(body, for: log, date: date) }
        let ids = encoded.map { append($0, to: log, date: date) }
        finishPublish(log)
        return ids
    }

    /// Publishes `count` copies of one event (each with its own replay ID): the fast path for load.
    @discardableResult
    public func publish(count: Int, of template: SimulatedEventBody, to channel: String) throws(SimulatorError) -> [Int64] {
        let log = try existingChannel(channel)
        guard count > 0 else { return [] }
        let date = timestamp()
        let encoded = try encode(template, for: log, date: date)
        var ids: [Int64] = []
        ids.reserveCapacity(count)
        for _ in 0..<count { ids.append(append(encoded, to: log, date: date)) }
        finishPublish(log)
        return ids
    }

    private func existingChannel(_ name: String) throws(SimulatorError) -> ChannelLog {
        guard SimulatedChannelKind(channel: name) != nil else { throw .invalidChannelName(name) }
        guard let log = channels[name] else { throw .unknownChannel(name) }
        return log
    }

    private func finishPublish(_ log: ChannelLog) {
        log.purge(maxCount: configuration.retention, maxAge: configuration.retentionAge, now: clock.now)
        for id in log.subscribers { clients[id]?.wake() }
    }

    /// The part of an event that does not depend on its replay ID, as JSON text.
    private struct EncodedBody {
        var content: [UInt8]
        var type: String = ""
    }

    private func encode(_ body: SimulatedEventBody, for log: ChannelLog, date: String) throws(SimulatorError) -> EncodedBody {
        switch (log.kind, body) {
        case (.pushTopic, .sobject(let fields, let type)):
            return EncodedBody(content: JSONValue.object(fields).serializedBytes, type: type)
        case (.generic, .payload(let payload)):
            guard case .string = payload else { throw .invalidEvent("a generic event's payload is a string") }
            return EncodedBody(content: payload.serializedBytes)
        case (.platformEvent, .payload(let payload)):
            guard var fields = payload.objectValue else { throw .invalidEvent("a platform event's payload is an object") }
            if fields["CreatedDate"] == nil { fields["CreatedDate"] = .string(date) }
            if fields["CreatedById"] == nil { fields["CreatedById"] = .string(defaultUserID) }
            return EncodedBody(content: JSONValue.object(fields).serializedBytes)
        case (.changeDataCapture, .payload(let payload)):
            guard var fields = payload.objectValue else { throw .invalidEvent("a change event's payload is an object") }
            fields["ChangeEventHeader"] = .object(changeEventHeader(for: log, fields: fields))
            return EncodedBody(content: JSONValue.object(fields).serializedBytes)
        case (.pushTopic, .payload):
            throw .invalidEvent("a PushTopic event needs an sobject")
        case (_, .sobject):
            throw .invalidEvent("only PushTopic channels take an sobject; use a payload")
        }
    }

    private var defaultUserID: String { configuration.users.first?.userID ?? "005000000000001AAA" }

    private func changeEventHeader(for log: ChannelLog, fields: JSONObject) -> JSONObject {
        var entity = String(log.name.dropFirst("/data/".count))
        if entity == "ChangeEvents" { entity = "Account" }
        else {
            entity = String(entity.dropLast("ChangeEvent".count))
            if entity.hasSuffix("__") { entity += "c" }
        }
        commitNumber += 1
        var header: JSONObject = [
            "entityName": .string(entity),
            "recordIds": [fields["Id"] ?? .string("001" + Self.randomID(length: 15, alphabet: Self.base64URL.filter { $0.isLetter || $0.isNumber }))],
            "changeType": "CREATE",
            "changeOrigin": .string("com/salesforce/api/rest/\(Self.latestAPIVersion);client=salesforce-simulator"),
            "transactionKey": .string(UUID().uuidString.lowercased()),
            "sequenceNumber": 1,
            "isTransactionEnd": true,
            "commitTimestamp": .int(Int64(Date().timeIntervalSince1970 * 1000)),
            "commitNumber": .int(1_000_000_000 + commitNumber),
            "commitUser": .string(defaultUserID),
        ]
        for (k, v) in fields["ChangeEventHeader"]?.objectValue ?? [:] { header[k] = v }
        return header
    }

    /// Wraps the content in the channel's envelope with the next replay ID and stores it.
    private func append(_ body: EncodedBody, to log: ChannelLog, date: String) -> Int64 {
        let replayID = (log.nextSequence + 1) * configuration.replayIDStride
        var out: [UInt8] = []
        out.reserveCapacity(body.content.count + log.channelJSON.count + 160)
        func put(_ s: StaticString) {
            out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
        }
        switch log.kind {
        case .pushTopic:
            put(#"{"data":{"event":{"createdDate":""#); out.append(contentsOf: date.utf8)
            put(#"","replayId":"#); out.append(contentsOf: String(replayID).utf8)
            put(#","type":"#); JSONValue.writeString(body.type, to: &out)
            put(#"},"sobject":"#); out.append(contentsOf: body.content)
        case .generic:
            put(#"{"data":{"event":{"createdDate":""#); out.append(contentsOf: date.utf8)
            put(#"","replayId":"#); out.append(contentsOf: String(replayID).utf8)
            put(#"},"payload":"#); out.append(contentsOf: body.content)
        case .platformEvent:
            put(#"{"data":{"schema":""#); out.append(contentsOf: log.schemaID.utf8)
            put(#"","payload":"#); out.append(contentsOf: body.content)
            put(#","event":{"EventUuid":""#); out.append(contentsOf: UUID().uuidString.lowercased().utf8)
            put(#"","replayId":"#); out.append(contentsOf: String(replayID).utf8)
            put("}")
        case .changeDataCapture:
            put(#"{"data":{"schema":""#); out.append(contentsOf: log.schemaID.utf8)
            put(#"","payload":"#); out.append(contentsOf: body.content)
            put(#","event":{"replayId":"#); out.append(contentsOf: String(replayID).utf8)
            put("}")
        }
        put(#"},"channel":"#); out.append(contentsOf: log.channelJSON)
        put("}")
        log.append(replayID: replayID, json: out, at: clock.now)
        return replayID
    }
}
