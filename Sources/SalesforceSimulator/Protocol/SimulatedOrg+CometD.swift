import Foundation
import HTTPTransport

/// The Streaming API: Bayeux messages over long polling, as Salesforce answers them.
extension SimulatedOrg {
    static let latestAPIVersion = "67.0"
    static let tooBusyReason = "503::Server is too busy. Please try your request again later."
    /// Salesforce's limit on a CometD request body.
    static let maxRequestBytes = 32_768

    private struct ConnectOutcome {
        var reply: OrderedJSON
        var events: [UInt8] = []
        var serverDisconnect = false
        var drop = false
    }

    func cometd(_ request: HTTPRequest, path: String) async -> SimulatorReply? {
        let now = clock.now
        sweepIfDue(now: now)
        if let body = request.body, body.count > Self.maxRequestBytes {
            return .response(Self.plain(413, "Maximum Request Size Exceeded"))
        }
        guard let body = request.body, let parsed = try? JSONValue(parsing: body) else {
            return .response(Self.plain(400, "Bad request"))
        }
        let messages = parsed.arrayValue ?? [parsed]

        // API version in the path.
        let version = path.dropFirst("/cometd".count).split(separator: "/").first.map(String.init)
        let minimum = String(format: "%.1f", configuration.minimumAPIVersion)
        if version == nil || version == "replay" {
            return .response(failAll(messages, status: 400, error:
                "400::API version in the URI is mandatory. URI format: '/cometd/\(Self.latestAPIVersion)'"))
        }
        guard let number = Double(version!), number >= configuration.minimumAPIVersion else {
            return .response(failAll(messages, status: 400, error:
                "400::Unsupported API version. Only API versions '\(minimum)' and later are supported. URI format: '/cometd/\(Self.latestAPIVersion)'"))
        }

        if tooBusyCount > 0 {
            tooBusyCount -= 1
            var replies: [OrderedJSON] = []
            for m in messages {
                let channel = m["channel"]?.stringValue ?? ""
                var r = Self.replyBase(m)
                r.set("error", .string(channel == "/meta/handshake" ? "403::Handshake denied" : "401::Authentication invalid"))
                r.set("ext", ["sfdc": ["failureReason": .string(Self.tooBusyReason)]])
                r.set("advice", ["reconnect": "none", "interval": 0])
                r.set("successful", false)
                replies.append(r)
            }
            return .response(assemble(replies, events: [], extraHeaders: []))
        }

        let token = Self.bearerToken(request)
        let session = token.flatMap { sessions[$0] }
        let cookies = Self.cookies(request)
        var replies: [OrderedJSON] = []
        var headers: [(name: String, value: String)] = []
        var connectMessage: JSONValue?

        for m in messages {
            let channel = m["channel"]?.stringValue ?? ""
            switch channel {
            case "/meta/handshake":
                replies.append(handshake(m, token: token, session: session, cookies: cookies, headers: &headers, now: now))
            case "/meta/connect" where connectMessage == nil:
                connectMessage = m
            case "/meta/subscribe":
                replies.append(contentsOf: subscribe(m, session: session, cookies: cookies, now: now))
            case "/meta/unsubscribe":
                replies.append(contentsOf: unsubscribe(m, session: session, cookies: cookies, now: now))
            case "/meta/disconnect":
                replies.append(disconnect(m, session: session, cookies: cookies, now: now))
            default:
                var r = Self.replyBase(m)
                r.set("error", .string(channel.hasPrefix("/meta/") || channel.isEmpty
                    ? "400::Channel name not specified" : "403::Publish not allowed on channel \(channel)"))
                r.set("successful", false)
                replies.append(r)
            }
        }

        var events: [UInt8] = []
        var drop = false
        if let m = connectMessage {
            guard let outcome = await connect(m, token: token, cookies: cookies) else { return nil }
            replies.append(outcome.reply)
            events = outcome.events
            if outcome.serverDisconnect { events.append(contentsOf: Array(#",{"channel":"/meta/disconnect"}"#.utf8)) }
            drop = outcome.drop
        }
        if drop { return .drop }
        var response = assemble(replies, events: events, extraHeaders: headers)
        if malformedJSONPending {
            malformedJSONPending = false
            response.bytes = Array(response.bytes.prefix(max(1, response.bytes.count / 2)))
        }
        return .response(response)
    }

    // MARK: Messages

    private func handshake(_ m: JSONValue, token: String?, session: SimulatedSession?, cookies: [String: String],
                           headers: inout [(name: String, value: String)], now: ContinuousClock.Instant) -> OrderedJSON {
        guard session != nil else {
            var r = OrderedJSON()
            r.set("ext", ["sfdc": ["failureReason": .string(token == nil
                ? "401::Request requires authentication" : "401::Authentication invalid")]])
            r.set("advice", ["reconnect": "none"])
            r.set("channel", "/meta/handshake")
            r.set("id", m["id"])
            r.set("error", "403::Handshake denied")
            r.set("successful", false)
            return r
        }
        if let types = m["supportedConnectionTypes"]?.arrayValue, !types.contains("long-polling") {
            var r = Self.replyBase(m)
            r.set("error", .string("400::Invalid connection type \(types.first?.stringValue ?? "")"))
            r.set("advice", ["reconnect": "none"])
            r.set("successful", false)
            return r
        }
        let browserID: String
        if let existing = cookies["BAYEUX_BROWSER"] {
            browserID = existing
        } else {
            browserID = Self.randomID(length: 4, alphabet: Array("0123456789abcdef")) + "-" + Self.randomID(length: 26)
            headers.append(("Set-Cookie", "BAYEUX_BROWSER=\(browserID); Path=/"))
            headers.append(("Set-Cookie", "sfdc-stream=!\(Self.randomID(length: 40, alphabet: Self.base64URL)); Path=/"))
        }
        let clientID = Self.randomID(length: 28)
        clients[clientID] = ClientSession(id: clientID, browserID: browserID, userID: session!.user.userID, now: now)
        var r = OrderedJSON()
        r.set("ext", ["replay": true, "payload.format": true])
        r.set("minimumVersion", "1.0")
        r.set("clientId", .string(clientID))
        r.set("supportedConnectionTypes", ["long-polling"])
        r.set("channel", "/meta/handshake")
        r.set("id", m["id"])
        r.set("version", "1.0")
        r.set("successful", true)
        return r
    }

    /// The client a non-handshake message names, or the error reply Salesforce gives.
    private func checkClient(_ m: JSONValue, session: SimulatedSession?, cookies: [String: String],
                             now: ContinuousClock.Instant) -> Result<ClientSession, ErrorReply> {
        guard session != nil else {
            var r = OrderedJSON()
            r.set("advice", ["reconnect": "none", "interval": 0])
            r.set("channel", m["channel"])
            r.set("id", m["id"])
            r.set("error", "401::Authentication invalid")
            r.set("successful", false)
            return .failure(ErrorReply(r))
        }
        guard let id = m["clientId"]?.stringValue, let client = clients[id],
              client.waiter != nil || now - client.lastSeen <= configuration.clientTimeout else {
            if let id = m["clientId"]?.stringValue { forget(id) }
            return .failure(ErrorReply(Self.unknownClient(m)))
        }
        guard cookies["BAYEUX_BROWSER"] != nil else {
            var r = Self.replyBase(m)
            r.set("error", .string("400::Client {\(id)} has established a session, but no BAYEUX_BROWSER cookie present"))
            r.set("successful", false)
            return .failure(ErrorReply(r))
        }
        client.lastSeen = now
        return .success(client)
    }

    struct ErrorReply: Error {
        var reply: OrderedJSON
        init(_ reply: OrderedJSON) { self.reply = reply }

        /// The reply to a refused (un)subscribe, which echoes the message's subscription.
        func echoingSubscription(of m: JSONValue) -> OrderedJSON {
            var r = reply
            r.set("subscription", m["subscription"])
            return r
        }
    }

    /// The reply to an (un)subscribe that names no channel.
    static func channelNotSpecified(_ m: JSONValue, clientID: String) -> OrderedJSON {
        var r = replyBase(m, clientID: clientID)
        r.set("error", "400::Channel name not specified")
        r.set("successful", false)
        return r
    }

    static func unknownClient(_ m: JSONValue) -> OrderedJSON {
        var r = OrderedJSON()
        r.set("advice", ["interval": 0, "reconnect": "handshake"])
        r.set("channel", m["channel"])
        r.set("id", m["id"])
        r.set("error", "403::Unknown client")
        r.set("successful", false)
        return r
    }

    private func subscriptions(_ m: JSONValue) -> [String]? {
        switch m["subscription"] {
        case .string(let s)?: return [s]
        case .array(let a)?: let s = a.compactMap(\.stringValue); return s.isEmpty ? nil : s
        default: return nil
        }
    }

    private func subscribe(_ m: JSONValue, session: SimulatedSession?, cookies: [String: String],
                           now: ContinuousClock.Instant) -> [OrderedJSON] {
        let client: ClientSession
        switch checkClient(m, session: session, cookies: cookies, now: now) {
        case .failure(let e): return [e.echoingSubscription(of: m)]
        case .success(let c): client = c
        }
        guard let subs = subscriptions(m), !subs.contains("") else {
            return [Self.channelNotSpecified(m, clientID: client.id)]
        }
        return subs.map { sub in
            var r = Self.replyBase(m, clientID: client.id)
            r.set("subscription", .string(sub))
            if let error = subscribe(client, to: sub, ext: m["ext"]) {
                r.set("error", .string(error))
                r.set("successful", false)
            } else {
                r.set("successful", true)
            }
            return r
        }
    }

    /// Subscribes; returns Salesforce's error string on failure.
    private func subscribe(_ client: ClientSession, to sub: String, ext: JSONValue?) -> String? {
        guard sub.hasPrefix("/") else { return "400::Channel subscriptions must start with a leading '/'" }
        let base = sub.split(separator: "?", maxSplits: 1).first.map(String.init) ?? sub
        if base.hasPrefix("/meta/") || base.hasPrefix("/service/") { return "403::Restricted channel" }
        guard let log = channels[base] else {
            return "400::The channel you requested to subscribe to does not exist {\(sub)}"
        }
        log.purge(maxCount: configuration.retention, maxAge: configuration.retentionAge, now: clock.now)
        var replayID: Int64 = -1
        if let map = ext?["replay"]?.objectValue {
            guard let value = map[sub] ?? map[base] else {
                let rendered = map.keys.sorted().map { "\($0)=\(Self.javaString(map[$0]!))" }.joined(separator: ", ")
                return "400::The replayId for channel {\(sub)} wasn't found using the provided replay ID map {{\(rendered)}}. "
                    + "Ensure that the channel name you provided in the replay map is valid and matches the channel name used for subscribing."
            }
            guard let id = value.intValue else { return Self.invalidReplay(Self.javaString(value)) }
            replayID = id
        }
        let cursor: Int64
        switch replayID {
        case -1: cursor = log.nextSequence
        case -2: cursor = log.firstSequence
        default:
            guard replayID >= 0, let oldest = log.oldestReplayID, let latest = log.latestReplayID,
                  replayID >= oldest, replayID <= latest else { return Self.invalidReplay(String(replayID)) }
            cursor = log.sequence(after: replayID)
        }
        client.subscribe(base, cursor: cursor)
        log.subscribers.insert(client.id)
        return nil
    }

    static func invalidReplay(_ id: String) -> String {
        "400::The replayId {\(id)} you provided was invalid. Please provide a valid ID, -2 to replay all events, or -1 to replay only new events."
    }

    static func javaString(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): s
        case .null: "null"
        default: String(decoding: value.serializedBytes, as: UTF8.self)
        }
    }

    private func unsubscribe(_ m: JSONValue, session: SimulatedSession?, cookies: [String: String],
                             now: ContinuousClock.Instant) -> [OrderedJSON] {
        let client: ClientSession
        switch checkClient(m, session: session, cookies: cookies, now: now) {
        case .failure(let e): return [e.echoingSubscription(of: m)]
        case .success(let c): client = c
        }
        guard let subs = subscriptions(m) else {
            return [Self.channelNotSpecified(m, clientID: client.id)]
        }
        return subs.map { sub in
            let base = sub.split(separator: "?", maxSplits: 1).first.map(String.init) ?? sub
            client.unsubscribe(base)
            channels[base]?.subscribers.remove(client.id)
            var r = Self.replyBase(m, clientID: client.id)
            r.set("subscription", .string(sub))
            r.set("successful", true)
            return r
        }
    }

    private func disconnect(_ m: JSONValue, session: SimulatedSession?, cookies: [String: String],
                            now: ContinuousClock.Instant) -> OrderedJSON {
        switch checkClient(m, session: session, cookies: cookies, now: now) {
        case .failure(let e): return e.reply
        case .success(let client):
            client.disconnected = true
            forget(client.id)
            var r = Self.replyBase(m, clientID: client.id)
            r.set("successful", true)
            return r
        }
    }

    private func connect(_ m: JSONValue, token: String?, cookies: [String: String]) async -> ConnectOutcome? {
        let now = clock.now
        let client: ClientSession
        switch checkClient(m, session: token.flatMap { sessions[$0] }, cookies: cookies, now: now) {
        case .failure(let e): return ConnectOutcome(reply: e.reply)
        case .success(let c): client = c
        }
        if let type = m["connectionType"]?.stringValue, type != "long-polling" {
            var r = Self.replyBase(m, clientID: client.id)
            r.set("error", .string("400::Invalid connection type \(type)"))
            r.set("successful", false)
            return ConnectOutcome(reply: r)
        }
        client.connects += 1
        let first = client.connects == 1
        if !first && !mustAnswerNow(client, token: token) {
            client.wake() // an older poll of the same client returns now
            client.waiterToken &+= 1
            let waitToken = client.waiterToken
            let clientID = client.id
            let timeout = Task { [pollTimeout = configuration.pollTimeout] in
                try? await Task.sleep(for: pollTimeout)
                self.endWait(clientID, token: waitToken)
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    // Checked again where the waiter is installed: whatever would have woken it
                    // since the check above found no waiter, and the poll would be held for the
                    // whole poll timeout. Seen over HTTP: a 100-channel run's last channel waited 20 s.
                    if mustAnswerNow(client, token: token) { c.resume() } else { client.waiter = c }
                }
            } onCancel: {
                Task { await self.endWait(clientID, token: waitToken) }
            }
            timeout.cancel()
            client.lastSeen = clock.now
            if Task.isCancelled { return nil }
            if client.disconnected {
                var r = Self.replyBase(m, clientID: client.id)
                r.set("successful", true)
                return ConnectOutcome(reply: r)
            }
            if token.flatMap({ sessions[$0] }) == nil {
                return ConnectOutcome(reply: checkClient(m, session: nil, cookies: cookies, now: clock.now).failureReply)
            }
            if clients[client.id] !== client { return ConnectOutcome(reply: Self.unknownClient(m)) }
        }
        var r = Self.replyBase(m, clientID: client.id)
        if first {
            let ms = configuration.pollTimeout.components.seconds * 1000
                + configuration.pollTimeout.components.attoseconds / 1_000_000_000_000_000
            r.set("advice", ["interval": 0, "timeout": .int(ms), "reconnect": "retry"])
        }
        r.set("successful", true)
        var outcome = ConnectOutcome(reply: r)
        if serverDisconnectPending {
            serverDisconnectPending = false
            outcome.serverDisconnect = true
            forget(client.id)
            return outcome
        }
        outcome.events = drain(client)
        client.lastSeen = clock.now
        if dropNextLongPoll {
            dropNextLongPoll = false
            outcome.drop = true
        }
        return outcome
    }

    /// Whether a `/meta/connect` of `client` must be answered at once rather than held: events
    /// pending, or anything that wakes a held one (a server-disconnect fault, shutdown, the client
    /// disconnected or forgotten, its session expired).
    private func mustAnswerNow(_ client: ClientSession, token: String?) -> Bool {
        hasPending(client) || serverDisconnectPending || holdsNoPolls || client.disconnected
            || clients[client.id] !== client || token.flatMap({ sessions[$0] }) == nil
    }

    func endWait(_ clientID: String, token: UInt64) {
        if let client = clients[clientID], client.waiterToken == token { client.wake() }
    }

    // MARK: Delivery

    func hasPending(_ client: ClientSession) -> Bool {
        for (name, cursor) in client.cursors {
            if let log = channels[name], log.nextSequence > max(cursor, log.firstSequence) { return true }
        }
        return false
    }

    /// Dequeues up to `maxEventsPerReply` events for the client: `,event,event...` (each with a leading comma).
    func drain(_ client: ClientSession) -> [UInt8] {
        var budget = configuration.maxEventsPerReply
        var out: [UInt8] = []
        let count = client.order.count
        guard count > 0 else { return out }
        let start = client.connects % count
        for k in 0..<count where budget > 0 {
            let name = client.order[(start + k) % count]
            guard let log = channels[name], var cursor = client.cursors[name] else { continue }
            if cursor < log.firstSequence { cursor = log.firstSequence }
            let n = Int(min(log.nextSequence - cursor, Int64(budget)))
            guard n > 0 else { continue }
            if out.isEmpty { out.reserveCapacity(n * (log.event(at: cursor).json.count + 1)) }
            for s in cursor..<(cursor + Int64(n)) {
                out.append(UInt8(ascii: ","))
                out.append(contentsOf: log.event(at: s).json)
            }
            client.cursors[name] = cursor + Int64(n)
            log.delivered += n
            budget -= n
        }
        return out
    }

    // MARK: Reply helpers

    static func replyBase(_ m: JSONValue, clientID: String? = nil) -> OrderedJSON {
        var r = OrderedJSON()
        r.set("clientId", clientID.map(JSONValue.string))
        r.set("channel", m["channel"] ?? .string(""))
        r.set("id", m["id"])
        return r
    }

    private func failAll(_ messages: [JSONValue], status: Int, error: String) -> HTTPResponse {
        let replies = messages.map { m -> OrderedJSON in
            var r = Self.replyBase(m)
            r.set("error", .string(error))
            r.set("advice", ["reconnect": "none", "interval": 0])
            r.set("successful", false)
            return r
        }
        var response = assemble(replies, events: [], extraHeaders: [])
        response.status = status
        return response
    }

    private func assemble(_ replies: [OrderedJSON], events: [UInt8],
                          extraHeaders: [(name: String, value: String)]) -> HTTPResponse {
        var out: [UInt8] = []
        out.reserveCapacity(events.count + 256 * replies.count + 2)
        out.append(UInt8(ascii: "["))
        for (n, r) in replies.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            r.write(to: &out)
        }
        if replies.isEmpty { out.append(contentsOf: events.dropFirst()) } else { out.append(contentsOf: events) }
        out.append(UInt8(ascii: "]"))
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json;charset=UTF-8")] + extraHeaders,
                            bytes: out)
    }

    static func bearerToken(_ request: HTTPRequest) -> String? {
        guard let value = request.header("Authorization") else { return nil }
        for scheme in ["Bearer ", "OAuth "] where value.count > scheme.count
            && value.prefix(scheme.count).caseInsensitiveCompare(scheme) == .orderedSame {
            return String(value.dropFirst(scheme.count)).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}

extension Result where Failure == SimulatedOrg.ErrorReply {
    var failureReply: OrderedJSON {
        if case .failure(let e) = self { return e.reply }
        return OrderedJSON()
    }
}
