import Foundation
import SalesforceSimulator
@testable import SalesforceStreaming
import ServiceKit
import ServiceKitTesting
import Testing

private let invoices = "/topic/InvoiceStatementUpdates"

private func invoice(_ name: String) -> SimulatedEventBody {
    .sobject(["Id": .string("a00D0000008o6y8IAA"), "Name": .string(name), "Status__c": "Open"], type: "updated")
}

@Suite("Subscribe end to end (in-process org)")
struct SubscribeTests {
    let handled = Handled()

    func harness<S: Service>(_ type: S.Type, channels: [String] = [invoices], yaml: String? = nil,
                             org: SimulatedOrg? = nil, store: InMemoryReplayStore = InMemoryReplayStore()) async throws -> StreamingTestHarness<S> {
        let org = org ?? SimulatedOrg(configuration: SimulatorConfiguration(pollTimeout: .seconds(2)))
        var configuration: ServiceConfiguration?
        if let yaml { configuration = try ServiceConfiguration.parse(yaml: yaml, environment: [:]) }
        return try await StreamingTestHarness(S.self, channels: channels, configuration: configuration, org: org,
                                              replayStore: store, environment: .fastRecovery)
    }

    @Test("each event is handled once with channel, replay ID and client ID in the worker context, and the position is committed")
    func handlesEvents() async throws {
        try await Handled.$current.withValue(handled) {
            let harness = try await harness(InvoiceSubscriber.self)
            try await harness.start()
            let ids = try await harness.org.publish([invoice("INV-1"), invoice("INV-2"), invoice("INV-3")], to: invoices)
            let workers = try await harness.waiter.wait(for: 3)
            #expect(await handled.names.sorted() == ["INV-1", "INV-2", "INV-3"])
            #expect(await handled.entries.map(\.topic) == [invoices, invoices, invoices])
            #expect(workers.allSatisfy { $0.contextData["channel"] == invoices && $0.contextData["client_id"] != nil })
            #expect(Set(workers.compactMap { $0.contextData["replay_id"] }) == Set(ids.map(String.init)))
            await harness.stop()
            #expect(await harness.replayStore.all[invoices] == ReplayID(.int(ids[2])))
        }
    }

    @Test("with max_workers 1 events are handled one at a time in delivery order, across replies")
    func deliveryOrderWithOneWorker() async throws {
        try await Handled.$current.withValue(handled) {
            let harness = try await harness(InvoiceSubscriber.self, yaml: "max_workers: 1\n" + Self.yaml(retry: "1", policy: "dead_letter"))
            try await harness.start()
            let names = (1...40).map { "INV-\($0)" }
            // Two publishes, so the events arrive in more than one reply.
            _ = try await harness.org.publish(names[..<20].map(invoice), to: invoices)
            _ = try await harness.org.publish(names[20...].map(invoice), to: invoices)
            try await harness.waiter.wait(for: 40)
            #expect(await handled.names == names)
            await harness.stop()
        }
    }

    @Test("stacked declarations subscribe one handler to each channel and pass each channel as first argument")
    func stacking() async throws {
        try await Handled.$current.withValue(handled) {
            let harness = try await harness(StackedSubscriber.self, channels: ["/topic/LeadUpdates", "/topic/OpportunityUpdates"])
            try await harness.start()
            _ = try await harness.org.publish(invoice("lead"), to: "/topic/LeadUpdates")
            _ = try await harness.org.publish(invoice("opportunity"), to: "/topic/OpportunityUpdates")
            try await harness.waiter.wait(for: 2)
            let byName = Dictionary(uniqueKeysWithValues: await handled.entries.map { ($0.name!, $0.topic) })
            #expect(byName == ["lead": "/topic/LeadUpdates", "opportunity": "/topic/OpportunityUpdates"])
            await harness.stop()
        }
    }

    @Test("a failing handler is retried, then parked in the dead-letter store with its payload; the service keeps running")
    func failingHandlerIsParked() async throws {
        try await Handled.$current.withValue(handled) {
            let harness = try await harness(InvoiceSubscriber.self, yaml: Self.yaml(retry: "3", policy: "dead_letter"))
            try await harness.start()
            let ids = try await harness.org.publish([invoice("INV-1"), invoice("fail-2"), invoice("INV-3")], to: invoices)
            let workers = try await harness.waiter.wait(for: 5)
            #expect(workers.filter { !$0.succeeded }.count == 3, "three attempts for the failing event")
            #expect(await handled.names.sorted() == ["INV-1", "INV-3"])
            #expect(await harness.container.state == .running)
            let letters = await harness.deadLetters.letters
            #expect(letters.count == 1)
            #expect(letters.first?.replayID == ReplayID(.int(ids[1])))
            #expect(letters.first?.data["sobject"]?["Name"] == .string("fail-2"))
            #expect(letters.first?.attempts == 3)
            await harness.stop()
            #expect(await harness.replayStore.all[invoices] == ReplayID(.int(ids[2])), "a parked event lets the position pass")
        }
    }

    @Test("with HANDLER_FAILURE_POLICY stop, a handler that keeps failing stops the service and the position stays before its event")
    func failingHandlerStops() async throws {
        try await Handled.$current.withValue(handled) {
            let harness = try await harness(InvoiceSubscriber.self, yaml: Self.yaml(retry: "2", policy: "stop"))
            try await harness.start()
            let ids = try await harness.org.publish([invoice("INV-1"), invoice("fail-2"), invoice("INV-3")], to: invoices)
            await #expect(throws: HandlerFailed.self) { try await harness.container.wait() }
            #expect(await harness.deadLetters.letters.isEmpty)
            #expect(await harness.replayStore.all[invoices] == ReplayID(.int(ids[0])))
        }
    }

    static func yaml(retry: String, policy: String) -> String {
        """
        SALESFORCE:
          USERNAME: demo@example.com
          PASSWORD: demo-password
          SECURITY_TOKEN: demo-token
          LOGIN_URL: http://simulated-org.invalid
          HANDLER_RETRY_ATTEMPTS: \(retry)
          HANDLER_RETRY_DELAY: 0.01
          HANDLER_FAILURE_POLICY: \(policy)
        """
    }

    @Test("a restarted service resumes from the stored position: events published while it was down are handled, none twice")
    func resumesFromStore() async throws {
        try await Handled.$current.withValue(handled) {
            let org = SimulatedOrg(configuration: SimulatorConfiguration(pollTimeout: .seconds(2)))
            let store = InMemoryReplayStore()
            let first = try await harness(InvoiceSubscriber.self, org: org, store: store)
            try await first.start()
            _ = try await org.publish(invoice("before"), to: invoices)
            try await first.waiter.wait(for: 1)
            await first.stop()
            _ = try await org.publish([invoice("down-1"), invoice("down-2")], to: invoices)
            let second = try await harness(InvoiceSubscriber.self, org: org, store: store)
            try await second.start()
            try await second.waiter.wait(for: 2)
            #expect(await handled.names.sorted() == ["before", "down-1", "down-2"])
            await second.stop()
        }
    }

    @Test("recovers from every injected fault without losing an event", arguments: [
        SimulatorFault.forgetClients, .serverDisconnect, .expireSessions, .httpError(status: 500, count: 3),
        .tooBusy(count: 2), .dropNextLongPoll, .malformedJSON,
    ])
    func recoversFromFault(_ fault: SimulatorFault) async throws {
        try await Handled.$current.withValue(handled) {
            let harness = try await harness(InvoiceSubscriber.self)
            try await harness.start()
            _ = try await harness.org.publish(invoice("before"), to: invoices)
            try await harness.waiter.wait(for: 1)
            await harness.org.inject(fault: fault)
            _ = try await harness.org.publish([invoice("after-1"), invoice("after-2")], to: invoices)
            try await harness.waiter.wait(for: 3, timeout: .seconds(20))
            let names = await handled.names
            for name in ["before", "after-1", "after-2"] { #expect(names.contains(name), "\(name) lost after \(fault)") }
            #expect(await harness.container.state == .running)
            await harness.stop()
        }
    }

    @Test("wrong credentials stop the service with a login error, not a retry loop")
    func wrongCredentials() async throws {
        let harness = try await harness(InvoiceSubscriber.self, yaml: """
            SALESFORCE:
              USERNAME: demo@example.com
              PASSWORD: wrong
              LOGIN_URL: http://simulated-org.invalid
            """)
        try await harness.container.start()
        await #expect(throws: StreamingLoginFailed.self) { try await harness.container.wait() }
    }

    @Test("a declaration on a /meta/ channel fails start with a clear error")
    func metaChannelRefused() async throws {
        let harness = try await harness(MetaChannelSubscriber.self, channels: [])
        await #expect(throws: StreamingConfigurationError.invalidChannel("/meta/connect")) { try await harness.start() }
    }

    @Test("a missing configuration key fails start with an error naming it")
    func missingKey() async throws {
        let harness = try await harness(InvoiceSubscriber.self, yaml: "SALESFORCE:\n  PASSWORD: x")
        await #expect(throws: ConfigurationError.missingKey("SALESFORCE.USERNAME")) { try await harness.start() }
    }

    @Test("stop() ends a pending long poll at once instead of waiting for its timeout")
    func stopIsPrompt() async throws {
        let org = SimulatedOrg(configuration: SimulatorConfiguration(pollTimeout: .seconds(60)))
        let harness = try await harness(InvoiceSubscriber.self, org: org)
        try await harness.start()
        try await Task.sleep(for: .milliseconds(300))   // let the client reach its long poll
        let started = ContinuousClock.now
        await harness.stop()
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}
