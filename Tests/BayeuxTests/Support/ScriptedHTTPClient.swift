import Foundation
import HTTPTransport
@testable import Bayeux

/// A fake `HTTPClient`: answers requests from a queue of scripted replies and records them.
/// When the queue is empty, a request hangs (like a long poll) until cancelled or its timeout.
/// `/meta/disconnect` requests are answered at once without consuming the script.
actor ScriptedHTTPClient: HTTPClient {
    enum Reply: Sendable {
        /// HTTP 200 with this JSON body.
        case json(JSONValue)
        /// This status and raw body.
        case status(Int, String)
        /// A transport error.
        case failure(HTTPClientError)
        /// Wait until cancelled.
        case hang
    }

    private var script: [Reply]
    private(set) var requests: [HTTPRequest] = []

    init(_ script: [Reply] = []) {
        self.script = script
    }

    func enqueue(_ replies: Reply...) {
        script.append(contentsOf: replies)
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        requests.append(request)
        let channel = (try? JSONValue(parsing: request.body ?? Data()))?[0]?["channel"]
        if channel == "/meta/disconnect" {
            return HTTPResponse(status: 200, body: JSONValue.array([["channel": "/meta/disconnect", "successful": true]]).serialized())
        }
        let reply = script.isEmpty ? .hang : script.removeFirst()
        switch reply {
        case .json(let value):
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: value.serialized())
        case .status(let code, let body):
            return HTTPResponse(status: code, body: Data(body.utf8))
        case .failure(let error):
            throw error
        case .hang:
            do {
                try await Task.sleep(for: request.timeout)
            } catch {
                throw HTTPClientError.cancelled
            }
            throw HTTPClientError.timedOut
        }
    }

    /// The first message of each request body, in order.
    var messages: [JSONValue] {
        requests.map { (try? JSONValue(parsing: $0.body ?? Data()))?[0] ?? .null }
    }

    /// The channel of each request's message, in order.
    var channels: [String] {
        messages.map { $0["channel"]?.stringValue ?? "?" }
    }

    var requestCount: Int { requests.count }

    /// Waits (briefly polling) until at least `count` requests arrived.
    func waitForRequests(_ count: Int) async {
        for _ in 0..<2000 where requests.count < count {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// Canned server replies.
enum Server {
    static func handshake(_ clientID: String = "client-1", advice: JSONValue? = nil) -> ScriptedHTTPClient.Reply {
        var m: JSONObject = [
            "channel": "/meta/handshake", "successful": true, "clientId": .string(clientID), "version": "1.0",
            "supportedConnectionTypes": ["long-polling"], "ext": ["replay": true, "payload.format": true],
        ]
        if let advice { m["advice"] = advice }
        return .json([.object(m)])
    }

    static func subscribed(_ channel: String) -> ScriptedHTTPClient.Reply {
        .json([["channel": "/meta/subscribe", "successful": true, "subscription": .string(channel)]])
    }

    static func connected(advice: JSONValue? = nil, events: [JSONValue] = []) -> ScriptedHTTPClient.Reply {
        var m: JSONObject = ["channel": "/meta/connect", "successful": true]
        if let advice { m["advice"] = advice }
        return .json(.array([.object(m)] + events))
    }

    static func failed(_ channel: String, error: String, advice: JSONValue? = nil, failureReason: String? = nil,
                       subscription: String? = nil) -> ScriptedHTTPClient.Reply
    {
        var m: JSONObject = ["channel": .string(channel), "successful": false, "error": .string(error)]
        if let advice { m["advice"] = advice }
        if let failureReason { m["ext"] = ["sfdc": ["failureReason": .string(failureReason)]] }
        if let subscription { m["subscription"] = .string(subscription) }
        return .json([.object(m)])
    }

    static func event(_ channel: String, replayID: Int64, name: String = "x") -> JSONValue {
        ["channel": .string(channel),
         "data": ["event": ["replayId": .int(replayID), "type": "created", "createdDate": "2024-01-01T00:00:00.000Z"],
                  "sobject": ["Id": "001", "Name": .string(name)]]]
    }
}

/// Records every requested sleep and returns at once (still honouring cancellation).
actor SleepRecorder {
    private(set) var durations: [Duration] = []

    func sleep(_ d: Duration) async throws {
        durations.append(d)
        try Task.checkCancellation()
        await Task.yield()
    }

    nonisolated var function: @Sendable (Duration) async throws -> Void {
        { [self] d in try await self.sleep(d) }
    }
}

/// A sleep that really waits (an hour) until cancelled, and reports when it started.
actor BlockingSleep {
    private(set) var started = 0

    func sleep(_ d: Duration) async throws {
        started += 1
        try await Task.sleep(for: .seconds(3600))
    }

    func waitUntilSleeping() async {
        for _ in 0..<2000 where started == 0 {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    nonisolated var function: @Sendable (Duration) async throws -> Void {
        { [self] d in try await self.sleep(d) }
    }
}

/// A replay source answering from a mutable map and counting questions.
actor MapReplaySource: ReplayPositionSource {
    var positions: [String: ReplayPosition]
    private(set) var asked: [String] = []

    init(_ positions: [String: ReplayPosition] = [:]) {
        self.positions = positions
    }

    func set(_ channel: String, _ position: ReplayPosition) {
        positions[channel] = position
    }

    func replayPosition(for channel: String) async -> ReplayPosition? {
        asked.append(channel)
        return positions[channel]
    }
}

struct WrongPassword: BayeuxFatalError, Equatable {}
struct TemporaryLoginFailure: Error {}

/// An authenticator handing out numbered tokens and counting calls.
actor CountingAuthenticator: BayeuxAuthenticator {
    private(set) var endpointCalls = 0
    private(set) var reauthenticateCalls = 0
    private var endpointErrors: [any Error]
    private var token = 1

    init(endpointErrors: [any Error] = []) {
        self.endpointErrors = endpointErrors
    }

    func endpoint() async throws -> BayeuxEndpoint {
        endpointCalls += 1
        if !endpointErrors.isEmpty { throw endpointErrors.removeFirst() }
        return current
    }

    func reauthenticate() async throws -> BayeuxEndpoint {
        reauthenticateCalls += 1
        token += 1
        return current
    }

    private var current: BayeuxEndpoint {
        BayeuxEndpoint(url: "http://127.0.0.1:1/cometd/59.0", headers: [("Authorization", "Bearer token-\(token)")])
    }
}
