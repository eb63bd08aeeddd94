import Foundation
import HTTPTransport
import TestSupport
import Testing
@testable import SalesforceSimulator

@Suite("Injected faults")
struct SimulatedOrgFaultTests {
    typealias C = TestStreamingClient

    func started(_ org: SimulatedOrg) async throws -> C {
        var client = C(org: org)
        try await client.start()
        _ = try await client.subscribe("/topic/Invoices")
        return client
    }

    @Test("dropNextLongPoll: the connection is lost and that reply's events are gone for the client")
    func dropNextLongPoll() async throws {
        let org = C.makeOrg(pollTimeout: .milliseconds(200))
        var client = try await started(org)
        try await org.publish(.invoice(1), to: "/topic/Invoices")
        await org.inject(fault: .dropNextLongPoll)
        await #expect(throws: HTTPClientError.connectionLost("simulated connection drop")) { try await client.connect() }
        #expect(C.events(try await client.connect()).isEmpty)
        #expect(await org.stats().faultsPending.isEmpty)
    }

    @Test("httpError: the next N requests get that status, then service resumes")
    func httpError() async throws {
        let org = C.makeOrg(pollTimeout: .milliseconds(100))
        var client = try await started(org)
        await org.inject(fault: .httpError(status: 500, count: 2))
        let failed = try await client.http.send(HTTPRequest(method: .post, url: "http://sim.test/cometd/64.0", body: Data("[]".utf8)))
        #expect(failed.status == 500)
        #expect(try await client.http.send(HTTPRequest(method: .post, url: "http://sim.test/services/oauth2/token")).status == 500)
        #expect(try await client.connect()[0]["successful"] == true)
    }

    @Test("tooBusy: Salesforce's 503 failure reason with advice none")
    func tooBusy() async throws {
        let org = C.makeOrg(pollTimeout: .milliseconds(100))
        var client = try await started(org)
        await org.inject(fault: .tooBusy(count: 1))
        let reply = try await client.connect()[0]
        #expect(reply["successful"] == false)
        #expect(reply["ext"]?["sfdc"]?["failureReason"] == "503::Server is too busy. Please try your request again later.")
        #expect(reply["advice"]?["reconnect"] == "none")
        #expect(try await client.connect()[0]["successful"] == true)
    }

    @Test("expireSessions: connect gets 401, handshake is denied, a new login works")
    func expireSessions() async throws {
        let org = C.makeOrg(pollTimeout: .milliseconds(100))
        var client = try await started(org)
        await org.inject(fault: .expireSessions)
        #expect(try await client.connect()[0]["error"] == "401::Authentication invalid")
        #expect(try await client.handshake()["error"] == "403::Handshake denied")
        try await client.login()
        #expect(try await client.handshake()["successful"] == true)
    }

    @Test("expireSessions answers a held connect with 401 at once")
    func expireSessionsWakesHeldPoll() async throws {
        let org = C.makeOrg(pollTimeout: .seconds(20))
        var poller = try await started(org)
        let start = ContinuousClock.now
        let poll = Task { try await poller.connect() }
        try await Task.sleep(for: .milliseconds(100))
        await org.inject(fault: .expireSessions)
        let replies = try #require(try await value(of: poll, within: .seconds(10)), "the held connect is answered")
        #expect(replies[0]["error"] == "401::Authentication invalid")
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test("forgetClients: the next request gets 403::Unknown client")
    func forgetClients() async throws {
        let org = C.makeOrg()
        var client = try await started(org)
        await org.inject(fault: .forgetClients)
        #expect(await org.stats().clients == 0)
        #expect(try await client.connect()[0]["error"] == "403::Unknown client")
    }

    @Test("serverDisconnect: the connect reply carries /meta/disconnect and the client is forgotten")
    func serverDisconnect() async throws {
        let org = C.makeOrg(pollTimeout: .milliseconds(100))
        var client = try await started(org)
        await org.inject(fault: .serverDisconnect)
        let replies = try await client.connect()
        #expect(replies.contains { $0 == ["channel": "/meta/disconnect"] })
        #expect(try await client.connect()[0]["error"] == "403::Unknown client")
    }

    @Test("malformedJSON: one reply body does not parse, the next does")
    func malformedJSON() async throws {
        let org = C.makeOrg(pollTimeout: .milliseconds(100))
        var client = try await started(org)
        await org.inject(fault: .malformedJSON)
        await #expect(throws: (any Error).self) { try await client.connect() }
        #expect(try await client.connect()[0]["successful"] == true)
    }

    @Test("delay: replies come after the delay; delay 0 turns it off")
    func delay() async throws {
        let org = C.makeOrg()
        var client = C(org: org)
        await org.inject(fault: .delay(milliseconds: 200))
        var start = ContinuousClock.now
        try await client.login()
        #expect(ContinuousClock.now - start >= .milliseconds(180))
        await org.inject(fault: .delay(milliseconds: 0))
        start = ContinuousClock.now
        try await client.login()
        #expect(await org.stats().faultsPending.isEmpty)
    }
}
