import Foundation
import HTTPTransport

/// Control operations: faults, stats, and the HTTP control API that exposes them.
extension SimulatedOrg {
    /// Injects a fault. `expireSessions` and `forgetClients` act at once; the others wait for the
    /// requests they affect (see ``SimulatorFault``).
    public func inject(fault: SimulatorFault) {
        switch fault {
        case .dropNextLongPoll: dropNextLongPoll = true
        case .httpError(let status, let count): httpErrors = (status, max(0, count))
        case .tooBusy(let count): tooBusyCount = max(0, count)
        case .expireSessions:
            sessions.removeAll()
            for client in clients.values { client.wake() } // held polls answer 401 now
        case .forgetClients:
            for id in Array(clients.keys) { forget(id) }
        case .serverDisconnect:
            serverDisconnectPending = true
            for client in clients.values { client.wake() }
        case .malformedJSON: malformedJSONPending = true
        case .delay(let ms): delayMilliseconds = max(0, ms)
        }
    }

    /// Cancels every pending fault (and the reply delay).
    public func clearFaults() {
        dropNextLongPoll = false
        httpErrors.count = 0
        tooBusyCount = 0
        serverDisconnectPending = false
        malformedJSONPending = false
        delayMilliseconds = 0
    }

    /// A snapshot of clients, subscriptions, per-channel counters, requests and pending faults.
    public func stats() -> SimulatorStats {
        sweepIfDue(now: clock.now)
        var pending: [String] = []
        if dropNextLongPoll { pending.append("dropNextLongPoll") }
        if httpErrors.count > 0 { pending.append("httpError(status: \(httpErrors.status), count: \(httpErrors.count))") }
        if tooBusyCount > 0 { pending.append("tooBusy(count: \(tooBusyCount))") }
        if serverDisconnectPending { pending.append("serverDisconnect") }
        if malformedJSONPending { pending.append("malformedJSON") }
        if delayMilliseconds > 0 { pending.append("delay(milliseconds: \(delayMilliseconds))") }
        return SimulatorStats(
            clients: clients.count,
            subscriptions: clients.values.reduce(0) { $0 + $1.cursors.count },
            sessions: sessions.count,
            channels: channelOrder.compactMap { channels[$0] }.map {
                SimulatorStats.Channel(name: $0.name, kind: $0.kind, published: $0.published, delivered: $0.delivered,
                                       retained: $0.retainedCount, subscribers: $0.subscribers.count,
                                       latestReplayId: $0.latestReplayID)
            },
            requestsServed: requestsServed,
            faultsPending: pending)
    }

    // MARK: HTTP control API

    /// Routes `/simulator/...` requests (JSON in and out, no authentication):
    ///
    /// - `GET /simulator/stats` → ``SimulatorStats`` as JSON.
    /// - `GET /simulator/channels` → `{"channels":["/topic/X", ...]}`.
    /// - `POST /simulator/channels` `{"name":"/topic/X"}` → 201 `{"name":...,"kind":...}`.
    /// - `POST /simulator/events` → `{"replayIds":[...]}`, body one of
    ///   `{"channel":C,"event":E}`, `{"channel":C,"events":[E,...]}`, or
    ///   `{"channel":C,"count":N,"template":E}` (answers `{"count":N,"firstReplayId":..,"lastReplayId":..}`);
    ///   `E` is `{"sobject":{...},"type":"created"}` for `/topic/...`, else `{"payload":...}`.
    /// - `POST /simulator/faults` `{"fault":NAME, ...}` → `{"faultsPending":[...]}`; NAME is
    ///   `dropNextLongPoll`, `httpError` (`status`, default 500; `count`, default 1), `tooBusy` (`count`),
    ///   `expireSessions`, `forgetClients`, `serverDisconnect`, `malformedJSON`, `delay` (`milliseconds`).
    /// - `DELETE /simulator/faults` → clears pending faults.
    /// - `/simulator/records`, `/simulator/undelete`, `/simulator/query`: records (see `SimulatedOrg+RecordControl.swift`).
    ///
    /// Errors: 400 `{"error":"..."}` for a bad body, 404 for an unknown path or channel,
    /// 405 for a wrong method.
    func handleControl(_ request: HTTPRequest, path: String) -> HTTPResponse {
        func error(_ status: Int, _ message: String) -> HTTPResponse {
            Self.json(status, ["error": .string(message)])
        }
        func body() -> JSONValue? { request.body.flatMap { try? JSONValue(parsing: $0) } }
        func fail(_ e: SimulatorError) -> HTTPResponse {
            if case .unknownChannel = e { return error(404, e.description) }
            return error(400, e.description)
        }
        if Self.isRecordControlPath(path) { return handleRecordControl(request, path: path) }
        switch (request.method, path) {
        case (.get, "/simulator/stats"):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = (try? encoder.encode(stats())) ?? Data("{}".utf8)
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json;charset=UTF-8")], body: data)
        case (.get, "/simulator/channels"):
            return Self.json(200, ["channels": .array(channelOrder.map(JSONValue.string))])
        case (.post, "/simulator/channels"):
            guard let name = body()?["name"]?.stringValue else { return error(400, "expected {\"name\":\"/topic/X\"}") }
            do throws(SimulatorError) {
                try createChannel(name)
                return Self.json(201, ["name": .string(name), "kind": .string(channels[name]!.kind.rawValue)])
            } catch { return fail(error) }
        case (.post, "/simulator/events"):
            guard let json = body(), let channel = json["channel"]?.stringValue else {
                return error(400, "expected {\"channel\":C,\"event\":E} or \"events\":[E] or \"count\":N,\"template\":E")
            }
            do throws(SimulatorError) {
                if let count = json["count"]?.intValue {
                    guard let template = json["template"], let event = Self.eventBody(template) else {
                        return error(400, "\"count\" needs a \"template\" event")
                    }
                    let ids = try publish(count: Int(count), of: event, to: channel)
                    return Self.json(200, ["count": .int(Int64(ids.count)), "firstReplayId": ids.first.map(JSONValue.int) ?? .null,
                                           "lastReplayId": ids.last.map(JSONValue.int) ?? .null])
                }
                let raw = json["events"]?.arrayValue ?? json["event"].map { [$0] } ?? []
                let events = raw.compactMap(Self.eventBody)
                guard !raw.isEmpty, events.count == raw.count else {
                    return error(400, "each event is {\"sobject\":{...},\"type\":\"created\"} or {\"payload\":...}")
                }
                let ids = try publish(events, to: channel)
                return Self.json(200, ["replayIds": .array(ids.map(JSONValue.int))])
            } catch { return fail(error) }
        case (.post, "/simulator/faults"):
            guard let json = body(), let name = json["fault"]?.stringValue else {
                return error(400, "expected {\"fault\":NAME}")
            }
            let count = Int(json["count"]?.intValue ?? 1)
            let fault: SimulatorFault
            switch name {
            case "dropNextLongPoll": fault = .dropNextLongPoll
            case "httpError": fault = .httpError(status: Int(json["status"]?.intValue ?? 500), count: count)
            case "tooBusy": fault = .tooBusy(count: count)
            case "expireSessions": fault = .expireSessions
            case "forgetClients": fault = .forgetClients
            case "serverDisconnect": fault = .serverDisconnect
            case "malformedJSON": fault = .malformedJSON
            case "delay": fault = .delay(milliseconds: Int(json["milliseconds"]?.intValue ?? 0))
            default: return error(400, "unknown fault \(name)")
            }
            inject(fault: fault)
            return Self.json(200, ["faultsPending": .array(stats().faultsPending.map(JSONValue.string))])
        case (.delete, "/simulator/faults"):
            clearFaults()
            return Self.json(200, ["faultsPending": []])
        case (_, "/simulator/stats"), (_, "/simulator/channels"), (_, "/simulator/events"), (_, "/simulator/faults"):
            return error(405, "method not allowed")
        default:
            return error(404, "unknown control endpoint \(path)")
        }
    }

    static func eventBody(_ json: JSONValue) -> SimulatedEventBody? {
        if let sobject = json["sobject"]?.objectValue {
            return .sobject(sobject, type: json["type"]?.stringValue ?? "created")
        }
        if let payload = json["payload"] { return .payload(payload) }
        return nil
    }
}
