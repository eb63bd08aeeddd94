import Logging
import SalesforceStreaming
import ServiceKit

/// Collects what the test services' handlers saw, per test (a task-local keeps tests apart).
actor Handled {
    struct Entry: Sendable, Equatable {
        let topic: String
        let replayID: String?
        let name: String?
    }

    private(set) var entries: [Entry] = []
    func record(_ entry: Entry) { entries.append(entry) }

    /// Names of the records handled, in order.
    var names: [String] { entries.compactMap(\.name) }

    @TaskLocal static var current = Handled()
}

/// Handlers fail for records whose Name starts with "fail".
struct HandlerFailure: Error {}

struct InvoiceSubscriber: Service {
    static let name = "invoice-subscriber"
    @Subscribe("/topic/InvoiceStatementUpdates") var onInvoice = Self.handleEvent

    func handleEvent(topic: String, event: StreamingEvent) async throws {
        let name = event.sobject?["Name"]?.stringValue
        if name?.hasPrefix("fail") == true { throw HandlerFailure() }
        await Handled.current.record(.init(topic: topic, replayID: event.replayID?.description, name: name))
    }
}

struct StackedSubscriber: Service {
    static let name = "stacked-subscriber"
    @Subscribe("/topic/LeadUpdates")
    @Subscribe("/topic/OpportunityUpdates")
    var onUpdate = Self.handleUpdate

    func handleUpdate(topic: String, event: StreamingEvent) async throws {
        await Handled.current.record(.init(topic: topic, replayID: event.replayID?.description,
                                           name: event.sobject?["Name"]?.stringValue))
    }
}

struct GenericBayeuxSubscriber: Service {
    static let name = "bayeux-subscriber"
    @BayeuxSubscribe("/topic/ConformanceTest") var onMessage = Self.handleMessage

    func handleMessage(channel: String, event: StreamingEvent) async throws {
        await Handled.current.record(.init(topic: channel, replayID: event.replayID?.description,
                                           name: event.sobject?["Name"]?.stringValue))
    }
}

extension ContainerEnvironment {
    /// Fast retries, so recovery tests take milliseconds.
    static var fastRecovery: ContainerEnvironment {
        var environment = ContainerEnvironment()
        environment[BayeuxTuningKey.self] = { configuration in
            configuration.backoff = BackoffPolicy(initial: .milliseconds(5), maximum: .milliseconds(50))
        }
        return environment
    }
}

struct MetaChannelSubscriber: Service {
    static let name = "meta-subscriber"
    @Subscribe("/meta/connect") var onMeta = Self.handle
    func handle(topic: String, event: StreamingEvent) async throws {}
}
