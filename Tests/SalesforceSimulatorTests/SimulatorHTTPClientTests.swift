import Foundation
import HTTPTransport
import TestSupport
import Testing
@testable import SalesforceSimulator

@Suite("SimulatorHTTPClient")
struct SimulatorHTTPClientTests {
    typealias C = TestStreamingClient

    @Test("cancelling a held long poll throws cancelled and loses no event")
    func cancellationLosesNothing() async throws {
        let org = C.makeOrg(pollTimeout: .seconds(30))
        var client = C(org: org)
        try await client.start()
        _ = try await client.subscribe("/topic/Invoices")
        var poller = client
        let poll = Task { try await poller.connect() }
        try await Task.sleep(for: .milliseconds(100))
        poll.cancel()
        await #expect(throws: HTTPClientError.cancelled) { try await value(of: poll, within: .seconds(10)) }
        let id = try await org.publish(.invoice(1), to: "/topic/Invoices")
        #expect(C.replayIDs(try await client.connect()) == [id])
    }

    @Test("request.timeout ends a held poll with timedOut and loses no event")
    func timeoutLosesNothing() async throws {
        let org = C.makeOrg(pollTimeout: .seconds(30))
        var client = C(org: org)
        try await client.start()
        _ = try await client.subscribe("/topic/Invoices")
        await #expect(throws: HTTPClientError.timedOut) { try await client.connect(timeout: .milliseconds(150)) }
        let id = try await org.publish(.invoice(1), to: "/topic/Invoices")
        #expect(C.replayIDs(try await client.connect()) == [id])
    }

    @Test("each client instance has its own cookie jar")
    func separateCookies() async throws {
        var a = C(org: C.makeOrg())
        try await a.start()
        let b = SimulatorHTTPClient(org: a.org)
        #expect(a.http.cookies["BAYEUX_BROWSER"] != nil)
        #expect(b.cookies.isEmpty)
    }
}
