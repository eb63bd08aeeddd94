import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SalesforceSimulator
import SalesforceSimulatorServer
import Testing

@Suite("SimulatorServer over real HTTP")
struct SimulatorServerTests {
    /// A URLSession that leaves cookies to the test (sent by hand).
    static func session() -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.timeoutIntervalForRequest = 20
        return URLSession(configuration: configuration)
    }

    static func post(_ session: URLSession, _ url: String, _ body: String, headers: [String: String] = [:])
        async throws -> (HTTPURLResponse, Data) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await session.data(for: request)
        return (response as! HTTPURLResponse, data)
    }

    func withServer(_ body: (RunningSimulator) async throws -> Void) async throws {
        let server = SimulatorServer(configuration: SimulatorConfiguration(pollTimeout: .seconds(5), channels: ["/topic/Invoices"]))
        let running = try await server.start()
        do { try await body(running) } catch { await running.shutdown(); throw error }
        await running.shutdown()
    }

    @Test("login, handshake, subscribe, and a held connect delivers an event published via the control API")
    func roundTrip() async throws {
        try await withServer { sim in
            #expect(sim.port > 0)
            let s = Self.session()
            let (_, tokenData) = try await Self.post(s, sim.url + "/services/oauth2/token",
                "grant_type=password&client_id=demo-consumer-key&client_secret=demo-consumer-secret&username=demo%40example.com&password=demo-passworddemo-token",
                headers: ["Content-Type": "application/x-www-form-urlencoded"])
            let token = try JSONValue(parsing: tokenData)
            #expect(token["instance_url"] == .string(sim.url))
            let auth = ["Authorization": "Bearer \(token["access_token"]!.stringValue!)", "Content-Type": "application/json"]
            let cometd = sim.url + "/cometd/64.0"
            let (hsResponse, hsData) = try await Self.post(s, cometd,
                #"[{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"],"id":"1"}]"#, headers: auth)
            let cookie = try #require(hsResponse.value(forHTTPHeaderField: "Set-Cookie"))
            #expect(cookie.contains("BAYEUX_BROWSER="))
            let browser = cookie.components(separatedBy: "BAYEUX_BROWSER=")[1].components(separatedBy: ";")[0]
            var headers = auth
            headers["Cookie"] = "BAYEUX_BROWSER=\(browser)"
            let clientID = try JSONValue(parsing: hsData).arrayValue![0]["clientId"]!.stringValue!
            _ = try await Self.post(s, cometd, #"[{"channel":"/meta/connect","connectionType":"long-polling","clientId":"\#(clientID)"}]"#, headers: headers)
            _ = try await Self.post(s, cometd, #"[{"channel":"/meta/subscribe","subscription":"/topic/Invoices","clientId":"\#(clientID)"}]"#, headers: headers)
            async let held = Self.post(s, cometd, #"[{"channel":"/meta/connect","connectionType":"long-polling","clientId":"\#(clientID)"}]"#, headers: headers)
            try await Task.sleep(for: .milliseconds(200))
            let (pubResponse, _) = try await Self.post(Self.session(), sim.url + "/simulator/events",
                #"{"channel":"/topic/Invoices","event":{"sobject":{"Id":"a01"}}}"#)
            #expect(pubResponse.statusCode == 200)
            let (_, data) = try await held
            let replies = try JSONValue(parsing: data).arrayValue!
            #expect(replies.count == 2)
            #expect(replies[1]["data"]?["sobject"] == ["Id": "a01"])
        }
    }

    @Test("shutdown answers a held long poll at once and returns promptly, even with a client connection left open")
    func shutdownWithHeldPoll() async throws {
        let server = SimulatorServer(configuration: SimulatorConfiguration(pollTimeout: .seconds(60), channels: ["/topic/Invoices"]))
        let sim = try await server.start()
        let s = Self.session()
        let (_, tokenData) = try await Self.post(s, sim.url + "/services/oauth2/token",
            "grant_type=password&client_id=demo-consumer-key&client_secret=demo-consumer-secret&username=demo%40example.com&password=demo-passworddemo-token",
            headers: ["Content-Type": "application/x-www-form-urlencoded"])
        let token = try JSONValue(parsing: tokenData)
        let auth = ["Authorization": "Bearer \(token["access_token"]!.stringValue!)", "Content-Type": "application/json"]
        let cometd = sim.url + "/cometd/64.0"
        let (hsResponse, hsData) = try await Self.post(s, cometd,
            #"[{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"],"id":"1"}]"#, headers: auth)
        let browser = try #require(hsResponse.value(forHTTPHeaderField: "Set-Cookie"))
            .components(separatedBy: "BAYEUX_BROWSER=")[1].components(separatedBy: ";")[0]
        var headers = auth
        headers["Cookie"] = "BAYEUX_BROWSER=\(browser)"
        let clientID = try JSONValue(parsing: hsData).arrayValue![0]["clientId"]!.stringValue!
        let connect = #"[{"channel":"/meta/connect","connectionType":"long-polling","clientId":"\#(clientID)"}]"#
        _ = try await Self.post(s, cometd, connect, headers: headers)
        async let held = Self.post(s, cometd, connect, headers: headers)
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        await sim.shutdown()
        #expect(ContinuousClock.now - started < .seconds(6), "bounded by the grace period, not the 60 s poll")
        let (response, data) = try await held
        #expect(response.statusCode == 200)
        #expect(try JSONValue(parsing: data).arrayValue?.first?["successful"] == true, "the held poll was answered, not cut")
    }

    @Test("a dropped reply reaches the client as a transfer error, not a short body")
    func dropIsAnError() async throws {
        try await withServer { sim in
            await sim.org.inject(fault: .dropNextLongPoll)
            let s = Self.session()
            let (_, tokenData) = try await Self.post(s, sim.url + "/services/oauth2/token",
                "grant_type=password&client_id=demo-consumer-key&client_secret=demo-consumer-secret&username=demo%40example.com&password=demo-passworddemo-token")
            let token = try JSONValue(parsing: tokenData)["access_token"]!.stringValue!
            let headers = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
            let (hs, hsData) = try await Self.post(s, sim.url + "/cometd/64.0",
                #"[{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"]}]"#, headers: headers)
            var withCookie = headers
            withCookie["Cookie"] = hs.value(forHTTPHeaderField: "Set-Cookie")!.components(separatedBy: ";")[0]
            let clientID = try JSONValue(parsing: hsData).arrayValue![0]["clientId"]!.stringValue!
            await #expect(throws: (any Error).self) {
                _ = try await Self.post(s, sim.url + "/cometd/64.0",
                    #"[{"channel":"/meta/connect","connectionType":"long-polling","clientId":"\#(clientID)"}]"#, headers: withCookie)
            }
        }
    }

    @Test("a CometD body over 32,768 bytes gets 413")
    func requestTooLarge() async throws {
        try await withServer { sim in
            let big = "[" + String(repeating: " ", count: 40_000) + "]"
            let (response, _) = try await Self.post(Self.session(), sim.url + "/cometd/64.0", big)
            #expect(response.statusCode == 413)
        }
    }

    @Test("the REST API answers over real HTTP: create 201, PATCH 204, GET the record, 401 without a token")
    func restOverHTTP() async throws {
        try await withServer { sim in
            let s = Self.session()
            let (_, tokenData) = try await Self.post(s, sim.url + "/services/oauth2/token",
                "grant_type=password&client_id=demo-consumer-key&client_secret=demo-consumer-secret&username=demo%40example.com&password=demo-passworddemo-token",
                headers: ["Content-Type": "application/x-www-form-urlencoded"])
            let token = try JSONValue(parsing: tokenData)["access_token"]!.stringValue!
            let auth = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
            let base = sim.url + "/services/data/v64.0"
            let (created, body) = try await Self.post(s, base + "/sobjects/Account", #"{"Name":"Acme"}"#, headers: auth)
            #expect(created.statusCode == 201)
            let id = try #require(try JSONValue(parsing: body)["id"]?.stringValue)
            var patch = URLRequest(url: URL(string: base + "/sobjects/Account/\(id)")!)
            patch.httpMethod = "PATCH"
            patch.httpBody = Data(#"{"Industry":"Tech"}"#.utf8)
            for (k, v) in auth { patch.setValue(v, forHTTPHeaderField: k) }
            let (_, patched) = try await s.data(for: patch)
            #expect((patched as! HTTPURLResponse).statusCode == 204)
            var get = URLRequest(url: URL(string: base + "/query?q=SELECT+Id,+Industry+FROM+Account")!)
            get.setValue(auth["Authorization"], forHTTPHeaderField: "Authorization")
            let (data, _) = try await s.data(for: get)
            #expect(try JSONValue(parsing: data)["records"]?.arrayValue?.first?["Industry"] == "Tech")
            let (denied, _) = try await Self.post(s, base + "/sobjects/Account", #"{"Name":"X"}"#)
            #expect(denied.statusCode == 401)
        }
    }
}
