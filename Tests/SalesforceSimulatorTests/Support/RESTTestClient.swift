import Foundation
import HTTPTransport
@testable import SalesforceSimulator

/// Calls the simulated org's REST API as one user (OAuth login first).
struct RESTTestClient {
    let org: SimulatedOrg
    let http: SimulatorHTTPClient
    let token: String
    var version = "64.0"

    static func makeOrg(pageSize: Int = 2000, channels: [String] = []) -> SimulatedOrg {
        SimulatedOrg(configuration: SimulatorConfiguration(channels: channels, baseURL: "http://sim.test",
                                                           queryPageSize: pageSize))
    }

    init(org: SimulatedOrg, username: String = "demo@example.com", password: String = "demo-passworddemo-token")
        async throws {
        self.org = org
        self.http = SimulatorHTTPClient(org: org)
        let body = "grant_type=password&client_id=demo-consumer-key&client_secret=demo-consumer-secret"
            + "&username=\(username.replacingOccurrences(of: "@", with: "%40"))&password=\(password)"
        let response = try await http.send(HTTPRequest(
            method: .post, url: "http://sim.test/services/oauth2/token",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(body.utf8)))
        token = try JSONValue(parsing: response.body)["access_token"]!.stringValue!
    }

    /// Sends `method path` (relative to `/services/data/v<version>/`, or absolute when it starts with `/`).
    func send(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil,
              token: String? = nil) async throws -> (status: Int, json: JSONValue?) {
        let url = "http://sim.test" + (path.hasPrefix("/") ? path : "/services/data/v\(version)/\(path)")
        var headers: [(name: String, value: String)] = [("Authorization", "Bearer \(token ?? self.token)")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let response = try await http.send(HTTPRequest(method: method, url: url, headers: headers,
                                                       body: body?.serialized()))
        return (response.status, response.body.isEmpty ? nil : try JSONValue(parsing: response.body))
    }

    func query(_ soql: String) async throws -> (status: Int, json: JSONValue?) {
        let q = soql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? soql
        return try await send(.get, "query?q=\(q)")
    }

    /// Creates a record over REST and returns its ID.
    func create(_ type: String, _ fields: JSONValue) async throws -> String {
        let (status, json) = try await send(.post, "sobjects/\(type)", fields)
        guard status == 201, let id = json?["id"]?.stringValue else {
            throw SimulatedRecordError(errorCode: "TEST", message: "create \(type) answered \(status): \(String(describing: json))")
        }
        return id
    }

    /// The first error code of an error reply.
    static func errorCode(_ json: JSONValue?) -> String? { json?.arrayValue?.first?["errorCode"]?.stringValue }
    static func message(_ json: JSONValue?) -> String? { json?.arrayValue?.first?["message"]?.stringValue }
}

extension SimulatedOrg {
    /// The retained events of a channel, parsed (tests only).
    func retainedEvents(_ channel: String) -> [JSONValue] {
        guard let log = channels[channel] else { return [] }
        return (log.firstSequence..<log.nextSequence).compactMap { try? JSONValue(parsing: Data(log.event(at: $0).json)) }
    }
}
