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

@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test("stop() lets a running handler finish, commits its replay position, and only then disconnects")
    func commitsBeforeDisconnecting() async throws {
        let gate = Gate()
        try await SlowHandlers.$gate.withValue(gate) {
            let org = SimulatedOrg(configuration: SimulatorConfiguration(pollTimeout: .seconds(30)))
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
            await stopping.value
            let last = try #require(await store.writes.last)
            #expect(last.replayID == ReplayID(.int(id)))
            #expect(last.connectedClients == 1, "the final position was written while still connected")
            #expect(await org.stats().clients == 0, "then the client disconnected")
        }
    }
}
