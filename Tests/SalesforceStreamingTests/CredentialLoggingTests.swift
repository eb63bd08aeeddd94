import Logging
import SalesforceSimulator
import SalesforceStreaming
import ServiceKit
import ServiceKitTesting
import Testing

@Suite("Credentials in logs")
struct CredentialLoggingTests {
    @Test("a whole run at trace level (login, re-login after expiry, events) never logs the password, token or session ID")
    func noSecretsInLogs() async throws {
        let logs = LogCapture()
        let org = SimulatedOrg(configuration: SimulatorConfiguration(pollTimeout: .seconds(2)))
        let harness = try await StreamingTestHarness(InvoiceSubscriber.self, channels: ["/topic/InvoiceStatementUpdates"],
                                                     org: org, environment: .fastRecovery,
                                                     logger: logs.logger())
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
        let text = logs.lines.joined(separator: "\n")
        #expect(!logs.lines.isEmpty)
        #expect(!text.contains(user.password))
        #expect(!text.contains(user.securityToken))
        for token in await org.issuedTokens() { #expect(!text.contains(token)) }
    }
}
