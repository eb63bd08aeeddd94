import SalesforceSimulator
import SalesforceStreaming
import ServiceKit
import ServiceKitTesting
import TestSupport
import Testing

/// The gate `SlowSubscriber`'s handlers wait on, per test.
enum SlowHandlers {
    @TaskLocal static var gate = Gate()
}

struct SlowSubscriber: Service {
    static let name = "slow-subscriber"
    @Subscribe("/topic/InvoiceStatementUpdates") var onInvoice = Self.handleEvent

    func handleEvent(topic: String, event: StreamingEvent) async throws {
        await SlowHandlers.gate.wait()
    }
}

/// Records, for each write, how many CometD clients the org still had: a write made after the
/// client disconnected sees none.
actor ConnectedAtWriteStore: ReplayStore {
    let org: SimulatedOrg
    private(set) var writes: [(replayID: ReplayID, connectedClients: Int)] = []

    init(org: SimulatedOrg) { self.org = org }

    func replayID(for channel: String) -> ReplayID? { writes.last?.replayID }

    func setReplayID(_ replayID: ReplayID, for channel: String) async {
        writes.append((replayID, await org.stats().clients))
    }
}

/// Runs `body` with `SlowSubscriber`'s handlers waiting on a fresh gate, against an org whose
/// long polls are held for 30 s.
func withSlowHandlers(_ body: (Gate, SimulatedOrg) async throws -> Void) async throws {
    let gate = Gate()
    try await SlowHandlers.$gate.withValue(gate) {
        try await body(gate, SimulatedOrg(configuration: SimulatorConfiguration(pollTimeout: .seconds(30))))
    }
}

/// The harness's configuration for `org` with `max_workers: 1`.
func oneWorker(org: SimulatedOrg) async -> ServiceConfiguration {
    let user = await org.currentConfiguration.users.first ?? .demo
    return ServiceConfiguration(.mapping([
        "max_workers": .int(1),
        "SALESFORCE": StreamingTestHarness<SlowSubscriber>.defaultConfiguration(user: user).root["SALESFORCE"] ?? .null,
    ]))
}

@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test("stop() lets a running handler finish, commits its replay position, and only then disconnects")
    func commitsBeforeDisconnecting() async throws {
        try await withSlowHandlers { gate, org in
            let store = ConnectedAtWriteStore(org: org)
            let harness = try await StreamingTestHarness(SlowSubscriber.self, channels: ["/topic/InvoiceStatementUpdates"],
                                                         org: org, store: store, environment: .fastRecovery)
            try await harness.start()
            let id = try await org.publish(.sobject(["Id": "a00D0000008o6y8IAA", "Name": "INV-1"]), to: "/topic/InvoiceStatementUpdates")
            while await gate.arrivals == 0 { try await Task.sleep(for: .milliseconds(5)) }
            let stopping = Task { await harness.stop() }
            try await Task.sleep(for: .milliseconds(200))
            #expect(await store.writes.isEmpty, "nothing is committed while the handler still runs")
            await gate.release()
            #expect(await finished(stopping, within: .seconds(10)), "stop() ends once the handler returned")
            let last = try #require(await store.writes.last)
            #expect(last.replayID == ReplayID(.int(id)))
            #expect(last.connectedClients == 1, "the final position was written while still connected")
            #expect(await org.stats().clients == 0, "then the client disconnected")
        }
    }

    @Test("stop() while a reply's later events wait for a worker: the running one finishes and is committed, the others are not started and a restart replays them")
    func eventsNotStartedAreReplayedAfterStop() async throws {
        try await withSlowHandlers { gate, org in
            let store = InMemoryReplayStore()
            let configuration = await oneWorker(org: org)
            let channel = "/topic/InvoiceStatementUpdates"
            let first = try await StreamingTestHarness(SlowSubscriber.self, channels: [channel], configuration: configuration,
                                                       org: org, replayStore: store)
            try await first.start()
            let ids = try await org.publish((1...5).map { SimulatedEventBody.sobject(["Id": "a00D0000008o6y8IAA", "Name": .string("INV-\($0)")]) }, to: channel)
            while await gate.arrivals == 0 { try await Task.sleep(for: .milliseconds(5)) }
            let stopping = Task { await first.stop() }
            try await Task.sleep(for: .milliseconds(100))
            await gate.release()
            #expect(await finished(stopping, within: .seconds(10)), "stop() ends once the running handler returned")
            #expect(await gate.arrivals == 1, "the events waiting for the one worker did not start at stop")
            #expect(await store.replayID(for: channel) == ReplayID(.int(ids[0])), "committed up to the handled event")

            let second = try await StreamingTestHarness(SlowSubscriber.self, channels: [channel], configuration: configuration,
                                                        org: org, replayStore: store)
            try await second.start()
            try await second.waiter.wait(for: 4)
            await second.stop()
            #expect(await gate.arrivals == 5, "each of the four handled once after the restart")
            #expect(await store.replayID(for: channel) == ReplayID(.int(ids[4])))
        }
    }
}

@Suite("Backpressure")
struct BackpressureTests {
    @Test("while handlers are stuck, the connection takes no reply beyond the two it read ahead: events stay on the server")
    func noReplyBeyondTheReadAhead() async throws {
        try await withSlowHandlers { gate, org in
            // One worker, so ten events are handed over at a time and one may wait.
            let configuration = await oneWorker(org: org)
            let channel = "/topic/InvoiceStatementUpdates"
            let harness = try await StreamingTestHarness(SlowSubscriber.self, channels: [channel], configuration: configuration, org: org)
            try await harness.start()
            func publish(_ count: Int) async throws {
                _ = try await org.publish((1...count).map { SimulatedEventBody.sobject(["Name": .string("INV-\($0)")]) }, to: channel)
            }
            func delivered() async -> Int { await org.stats().channels.first { $0.name == channel }?.delivered ?? 0 }
            try await publish(30)  // the first reply: one handler runs and blocks, ten are handed over
            while await gate.arrivals == 0 { try await Task.sleep(for: .milliseconds(5)) }
            try await publish(30)  // answers the long poll read ahead
            try await Task.sleep(for: .milliseconds(200))
            #expect(await delivered() == 60)
            try await publish(30)  // answers the second long poll read ahead
            try await Task.sleep(for: .milliseconds(200))
            #expect(await delivered() == 90)
            try await publish(30)  // no long poll asks for these while the first reply waits
            try await Task.sleep(for: .milliseconds(300))
            #expect(await delivered() == 90, "a fourth reply was taken while the first one still waited for the worker")
            await gate.release()
            try await harness.waiter.wait(for: 120)
            #expect(await gate.arrivals == 120)
            await harness.stop()
        }
    }
}
