import Logging
import SalesforceSimulator
import SalesforceStreaming
import ServiceKit
import ServiceKitTesting
import Synchronization
import Testing

/// Captures every log line (message and metadata) at trace level.
final class CapturedLogs: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }

    func handler(label: String) -> any LogHandler { Handler(label: label, sink: self) }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let label: String
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            sink.append("\(event.level) \(event.message) \(all) \(event.error.map { "\($0)" } ?? "")")
        }
    }
}

@Suite("Credentials in logs")
struct CredentialLoggingTests {
    @Test("a whole run at trace level (login, re-login after expiry, events) never logs the password, token or session ID")
    func noSecretsInLogs() async throws {
        let logs = CapturedLogs()
        let org = SimulatedOrg(configuration: SimulatorConfiguration(pollTimeout: .seconds(2)))
        let harness = try await StreamingTestHarness(InvoiceSubscriber.self, channels: ["/topic/InvoiceStatementUpdates"],
                                                     org: org, environment: .fastRecovery,
                                                     logger: Logger(label: "capture") { logs.handler(label: $0) })
        try await Handled.$current.withValue(Handled()) {
            try await harness.start()
            _ = try await org.publish(.sobject(["Id": "a00D0000008o6y8IAA", "Name": "INV-1"]), to: "/topic/InvoiceStatementUpdates")
            try await harness.waiter.wait(for: 1)
            await org.inject(fault: .expireSessions)
            _ = try await org.publish(.sobject(["Id": "a00D0000008o6y8IAA", "Name": "INV-2"]), to: "/topic/InvoiceStatementUpdates")
            try await harness.waiter.wait(for: 2)
            await harness.stop()
        }
        let user = SimulatedUser.demo
        let text = logs.all.joined(separator: "\n")
        #expect(!logs.all.isEmpty)
        #expect(!text.contains(user.password))
        #expect(!text.contains(user.securityToken))
        for token in await org.issuedTokens() { #expect(!text.contains(token)) }
    }
}
