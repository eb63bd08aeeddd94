import Foundation
import HTTPTransport
@testable import SalesforceSimulator

/// A minimal Bayeux client for tests: logs in with OAuth, then posts raw messages.
struct TestStreamingClient {
    let org: SimulatedOrg
    let http: SimulatorHTTPClient
    var token: String = ""
    var clientID: String = ""
    var version = "64.0"
    var messageID = 0

    init(org: SimulatedOrg) {
        self.org = org
        self.http = SimulatorHTTPClient(org: org)
    }

    static func makeOrg(channels: [String] = ["/topic/Invoices"], pollTimeout: Duration = .milliseconds(500),
                        clientTimeout: Duration = .seconds(40), retention: Int = 100_000,
                        retentionAge: Duration = .seconds(24 * 3600),
                        stride: Int64 = 1, maxEventsPerReply: Int = 1000) -> SimulatedOrg {
        SimulatedOrg(configuration: SimulatorConfiguration(
            pollTimeout: pollTimeout, clientTimeout: clientTimeout, retention: retention, retentionAge: retentionAge,
            maxEventsPerReply: maxEventsPerReply, channels: channels, replayIDStride: stride,
            baseURL: "http://sim.test"))
    }

    mutating func login() async throws {
        let body = "grant_type=password&client_id=demo-consumer-key&client_secret=demo-consumer-secret"
            + "&username=demo%40example.com&password=demo-passworddemo-token"
        let response = try await http.send(HTTPRequest(
            method: .post, url: "http://sim.test/services/oauth2/token",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(body.utf8)))
        token = try JSONValue(parsing: response.body)["access_token"]!.stringValue!
    }

    /// Posts messages; returns the HTTP response and the parsed reply array.
    mutating func post(_ messages: [JSONValue], timeout: Duration = .seconds(10)) async throws -> (HTTPResponse, [JSONValue]) {
        let response = try await http.send(HTTPRequest(
            method: .post, url: "http://sim.test/cometd/\(version)",
            headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")],
            body: JSONValue.array(messages).serialized(), timeout: timeout))
        return (response, try JSONValue(parsing: response.body).arrayValue ?? [])
    }

    mutating func nextID() -> JSONValue {
        messageID += 1
        return .string(String(messageID))
    }

    mutating func handshake() async throws -> JSONValue {
        let id = nextID()
        let (_, replies) = try await post([["channel": "/meta/handshake", "version": "1.0",
                                            "supportedConnectionTypes": ["long-polling"], "id": id]])
        if let cid = replies.first?["clientId"]?.stringValue { clientID = cid }
        return replies[0]
    }

    mutating func connect(timeout: Duration = .seconds(10)) async throws -> [JSONValue] {
        let id = nextID()
        return try await post([["channel": "/meta/connect", "clientId": .string(clientID),
                                "connectionType": "long-polling", "id": id]], timeout: timeout).1
    }

    mutating func subscribe(_ channel: String, replay: JSONValue? = nil,
                            replayMap: JSONValue? = nil) async throws -> JSONValue {
        var message: JSONObject = ["channel": "/meta/subscribe", "clientId": .string(clientID),
                                            "subscription": .string(channel), "id": nextID()]
        if let replay { message["ext"] = ["replay": .object([channel: replay])] }
        if let replayMap { message["ext"] = ["replay": replayMap] }
        return try await post([.object(message)]).1[0]
    }

    /// Logs in, handshakes and sends the first (immediate) connect.
    mutating func start() async throws {
        try await login()
        _ = try await handshake()
        _ = try await connect()
    }

    static func events(_ replies: [JSONValue]) -> [JSONValue] {
        replies.filter { !($0["channel"]?.stringValue ?? "").hasPrefix("/meta/") }
    }

    static func replayIDs(_ replies: [JSONValue]) -> [Int64] {
        events(replies).compactMap { $0["data"]?["event"]?["replayId"]?.intValue }
    }
}

extension SimulatedEventBody {
    static func invoice(_ n: Int) -> SimulatedEventBody {
        .sobject(["Id": .string("a00\(n)"), "Name": .string("INV-\(n)")])
    }
}
