import Foundation
import HTTPTransport
import Testing
@testable import Salesforce

@Suite("SalesforceRESTClient")
struct SalesforceRESTClientTests {
    static let base = "https://acme.my.salesforce.com/services/data/v64.0"

    private func makeClient(_ http: ScriptedHTTPClient, auth: FakeAuthenticator = FakeAuthenticator())
        -> SalesforceRESTClient {
        SalesforceRESTClient(connection: SalesforceConnection(authenticator: auth, httpClient: http), apiVersion: "64.0")
    }

    private static func page(_ ids: [String], next: String?) -> HTTPResponse {
        let records = ids.map {
            #"{"attributes":{"type":"Account","url":"/services/data/v64.0/sobjects/Account/\#($0)"},"Id":"\#($0)","Name":"N-\#($0)"}"#
        }
        let nextField = next.map { #","nextRecordsUrl":"\#($0)""# } ?? ""
        return .json(200, #"{"totalSize":5,"done":\#(next == nil)\#(nextField),"records":[\#(records.joined(separator: ","))]}"#)
    }

    static let pages: ScriptedHTTPClient.Handler = { request, _ in
        switch request.url {
        case _ where request.url.hasPrefix(base + "/query?q="):
            page(["001A", "001B"], next: "/services/data/v64.0/query/01gD0000002HU6KIAW-2000")
        case "https://acme.my.salesforce.com/services/data/v64.0/query/01gD0000002HU6KIAW-2000":
            page(["001C", "001D"], next: "/services/data/v64.0/query/01gD0000002HU6KIAW-4000")
        case "https://acme.my.salesforce.com/services/data/v64.0/query/01gD0000002HU6KIAW-4000":
            page(["001E"], next: nil)
        default:
            .json(404, #"[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]"#)
        }
    }

    @Test("query percent-encodes the SOQL and follows nextRecordsUrl to the last page")
    func pagination() async throws {
        let http = ScriptedHTTPClient(handler: Self.pages)
        let soql = "SELECT Id, Name FROM Account WHERE Name = " + SOQL.quote("O'Brien & Co+")
        let records = try await makeClient(http).query(soql)
        #expect(records.map { $0["Id"]?.stringValue } == ["001A", "001B", "001C", "001D", "001E"])
        let requests = await http.requests
        #expect(requests.count == 3)
        #expect(requests[0].url == Self.base
            + "/query?q=SELECT%20Id%2C%20Name%20FROM%20Account%20WHERE%20Name%20%3D%20%27O%5C%27Brien%20%26%20Co%2B%27")
        #expect(requests.allSatisfy { $0.method == .get && $0.header("Authorization") == "Bearer token-1" })
    }

    @Test("queryRecords yields records lazily and fetches no page the consumer does not reach")
    func lazyStream() async throws {
        let http = ScriptedHTTPClient(handler: Self.pages)
        let client = makeClient(http)
        var all: [String] = []
        for try await record in client.queryRecords("SELECT Id FROM Account") {
            all.append(record["Id"]?.stringValue ?? "?")
        }
        #expect(all == ["001A", "001B", "001C", "001D", "001E"])

        let lazyHTTP = ScriptedHTTPClient(handler: Self.pages)
        var firstTwo: [String] = []
        for try await record in makeClient(lazyHTTP).queryRecords("SELECT Id FROM Account") {
            firstTwo.append(record["Id"]?.stringValue ?? "?")
            if firstTwo.count == 2 { break }
        }
        #expect(firstTwo == ["001A", "001B"])
        #expect(await lazyHTTP.requests.count == 1)
    }

    @Test("a nextRecordsUrl pointing elsewhere or looping is refused, so the token never leaves the instance")
    func hostileNextRecordsURL() async throws {
        for next in ["https://evil.example.com/services/data/v64.0/query/x", "//evil.example.com/x",
                     "/services/data/../../x", "/services/data/v64.0/query/same"] {
            let http = ScriptedHTTPClient(handler: { _, _ in Self.page(["001A"], next: next) })
            let error = try await #require(throws: SalesforceAPIError.self) {
                _ = try await makeClient(http).query("SELECT Id FROM Account")
            }
            #expect(error.errorCode == SalesforceAPIError.invalidResponseCode)
            let urls = await http.requests.map(\.url)
            #expect(urls.allSatisfy { $0.hasPrefix("https://acme.my.salesforce.com/") })
            #expect(urls.count <= 2, "\(next): \(urls)")
        }
    }

    @Test("Salesforce error bodies become typed SalesforceAPIError values")
    func typedErrors() async throws {
        let cases: [(HTTPResponse, SalesforceAPIError)] = [
            (.json(400, #"[{"message":"No such column 'Foo' on entity 'Account'.","errorCode":"INVALID_FIELD","fields":["Foo"]}]"#),
             SalesforceAPIError(errorCode: "INVALID_FIELD", message: "No such column 'Foo' on entity 'Account'.",
                                fields: ["Foo"], status: 400)),
            (.json(400, #"[{"message":"unexpected token: FROM","errorCode":"MALFORMED_QUERY"}]"#),
             SalesforceAPIError(errorCode: "MALFORMED_QUERY", message: "unexpected token: FROM", status: 400)),
            (.json(404, #"[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]"#),
             SalesforceAPIError(errorCode: "NOT_FOUND", message: "The requested resource does not exist", status: 404)),
            (.json(502, "Bad Gateway"), SalesforceAPIError(errorCode: "HTTP_502", message: "Bad Gateway", status: 502)),
        ]
        for (response, expected) in cases {
            let http = ScriptedHTTPClient(responses: [response])
            await #expect(throws: expected) { _ = try await makeClient(http).query("SELECT Id FROM Account") }
        }
    }

    @Test("INVALID_SESSION_ID refreshes the shared session once and retries once")
    func reloginRetry() async throws {
        let auth = FakeAuthenticator()
        let http = ScriptedHTTPClient(responses: [
            .json(401, #"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#),
            Self.page(["001A"], next: nil),
        ])
        let records = try await makeClient(http, auth: auth).query("SELECT Id FROM Account")
        #expect(records.count == 1)
        #expect(await http.requests.map { $0.header("Authorization") } == ["Bearer token-1", "Bearer token-2"])
        #expect(await auth.logins == 2)
    }

    @Test("a second INVALID_SESSION_ID is thrown, not retried again")
    func reloginFailsOnce() async throws {
        let auth = FakeAuthenticator()
        let http = ScriptedHTTPClient(responses: [
            .json(401, #"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#),
        ])
        let error = try await #require(throws: SalesforceAPIError.self) {
            try await makeClient(http, auth: auth).delete("Account", id: "001D000000IRFmaIAH")
        }
        #expect(error.errorCode == "INVALID_SESSION_ID")
        #expect(error.status == 401)
        #expect(await http.requests.count == 2)
        #expect(await auth.logins == 2)
    }

    @Test("a failing re-login is reported as the login error")
    func reloginLoginFails() async throws {
        let auth = FakeAuthenticator()
        let http = ScriptedHTTPClient(responses: [
            .json(401, #"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#),
        ])
        let client = makeClient(http, auth: auth)
        _ = try await client.connection.session()
        await auth.failNext(with: .invalidCredentials("INVALID_LOGIN: nope"))
        await #expect(throws: SalesforceLoginError.invalidCredentials("INVALID_LOGIN: nope")) {
            _ = try await client.query("SELECT Id FROM Account")
        }
        #expect(await http.requests.count == 1)
    }

    @Test("create, update, delete and get use the sObject endpoints with JSON bodies")
    func crud() async throws {
        let http = ScriptedHTTPClient(handler: { request, _ in
            switch request.method {
            case .post: .json(201, #"{"id":"0PT5g000000ABCDGA4","success":true,"errors":[]}"#)
            case .get: .json(200, #"{"attributes":{"type":"PushTopic"},"Id":"0PT5g000000ABCDGA4","Name":"ContactUpdates"}"#)
            default: HTTPResponse(status: 204)
            }
        })
        let client = makeClient(http)
        let id = try await client.create("PushTopic", fields: ["Name": "ContactUpdates", "ApiVersion": 64.0,
                                                               "NotifyForOperationCreate": true])
        #expect(id == "0PT5g000000ABCDGA4")
        try await client.update("PushTopic", id: id, fields: ["Query": "SELECT Id FROM Contact"])
        let record = try await client.get("PushTopic", id: id, fields: ["Id", "Name"])
        #expect(record["Name"] == "ContactUpdates")
        try await client.delete("PushTopic", id: id)

        let requests = await http.requests
        #expect(requests.map(\.method) == [.post, .patch, .get, .delete])
        #expect(requests.map(\.url) == [
            Self.base + "/sobjects/PushTopic",
            Self.base + "/sobjects/PushTopic/0PT5g000000ABCDGA4",
            Self.base + "/sobjects/PushTopic/0PT5g000000ABCDGA4?fields=Id,Name",
            Self.base + "/sobjects/PushTopic/0PT5g000000ABCDGA4",
        ])
        #expect(requests[0].bodyText == #"{"ApiVersion":64,"Name":"ContactUpdates","NotifyForOperationCreate":true}"#)
        #expect(requests[0].header("Content-Type") == "application/json")
        #expect(requests[1].bodyText == #"{"Query":"SELECT Id FROM Contact"}"#)
        #expect(requests[2].body == nil)
    }

    @Test("unsafe sObject names, field names and IDs are rejected before any request is sent")
    func injectionRejected() async throws {
        let http = ScriptedHTTPClient(responses: [HTTPResponse(status: 204)])
        let client = makeClient(http)
        await #expect(throws: SOQLError.self) { _ = try await client.create("Account/../User", fields: ["Name": "x"]) }
        await #expect(throws: SOQLError.self) { _ = try await client.create("Account", fields: ["Name?x=1": "x"]) }
        await #expect(throws: SOQLError.self) { try await client.update("Account", id: "001/../../x", fields: [:]) }
        await #expect(throws: SOQLError.self) { try await client.delete("Account", id: "001D000000IRFma?x") }
        await #expect(throws: SOQLError.self) {
            _ = try await client.get("Account", id: "001D000000IRFmaIAH", fields: ["Id", "Name FROM User"])
        }
        #expect(await http.requests.isEmpty)
    }
}
