import Foundation
import HTTPTransport
@testable import SalesforceStreaming
import ServiceKit
import ServiceKitTesting
import TestSupport
import Testing

/// Conformance of `@BayeuxSubscribe` (and the Bayeux client under it) with a real third-party
/// Bayeux server: Faye 1.4, started through `../shared/faye/start-faye`.
@Suite("BayeuxSubscribe against Faye", .serialized)
struct BayeuxSubscribeFayeTests {
    let handled = Handled()
    let faye = FayeServer(port: 18765)
    let channel = "/topic/ConformanceTest"

    /// Publishes `name` to Faye over plain HTTP, as any publisher would.
    func publish(_ name: String, replayID: Int) async throws {
        let body = #"{"channel":"\#(channel)","data":{"event":{"replayId":\#(replayID),"createdDate":"2024-01-01T00:00:00.000Z","type":"created"},"sobject":{"Id":"001","Name":"\#(name)"}}}"#
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let response = try await client.send(HTTPRequest(method: .post, url: faye.url,
                                                         headers: [("Content-Type", "application/json")], body: Data(body.utf8)))
        #expect(response.status == 200)
    }

    func container() throws -> ServiceContainer<GenericBayeuxSubscriber> {
        let configuration = try ServiceConfiguration.parse(yaml: "BAYEUX:\n  SERVER_URI: \(faye.url)\n  VERSION: 1.0", environment: [:])
        return try ServiceContainer(GenericBayeuxSubscriber.self, configuration: configuration, environment: .fastRecovery)
    }

    /// Whether a record called `name` is handled within `timeout`.
    func handledName(_ name: String, within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        repeat {
            if await handled.names.contains(name) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        } while ContinuousClock.now < deadline
        return false
    }

    /// Publishes probes until one is handled: Faye delivers only what is published after the
    /// subscription is registered.
    func waitUntilSubscribed(_ tag: String) async throws {
        for attempt in 1...60 {
            try await publish("\(tag)-\(attempt)", replayID: 0)
            if await handledName("\(tag)-\(attempt)", within: .milliseconds(250)) { return }
        }
        Issue.record("subscription \(tag) never became active")
    }

    @Test("handshake, subscribe, events published with curl arrive, and long polls that time out are renewed")
    func receivesEventsAcrossLongPolls() async throws {
        try await faye.start()
        try await Handled.$current.withValue(handled) {
            let container = try container()
            try await container.start()
            try await waitUntilSubscribed("probe")
            // Sit through more than two long polls that end with no event.
            try await Task.sleep(for: .seconds(FayeServer.longPollSeconds * 2 + 1))
            try await publish("after-timeouts", replayID: 7)
            #expect(await handledName("after-timeouts", within: .seconds(10)))
            let last = await handled.entries.last
            #expect(last == Handled.Entry(topic: channel, replayID: "7", name: "after-timeouts"))
            await container.stop()
            try await container.wait()
        }
    }

    @Test("a client Faye forgot (server restarted) handshakes again, resubscribes and keeps receiving")
    func recoversFromRestart() async throws {
        try await faye.start()
        try await Handled.$current.withValue(handled) {
            let container = try container()
            try await container.start()
            try await waitUntilSubscribed("before-restart")
            try await faye.stop()
            try await faye.start()
            // The restarted Faye knows no client: the client must handshake and subscribe again.
            try await waitUntilSubscribed("after-restart")
            #expect(await container.state == .running)
            await container.stop()
        }
    }
}
