import Foundation
import SalesforceSimulator
import SalesforceSimulatorServer
import Testing

/// The Simple Subscription example as users run it: its own process, configured only by
/// Examples/config.yaml (LOGIN_URL from the environment), stopped with SIGTERM.
@Suite("example-service process")
struct ExampleServiceProcessTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `example-service` executable built next to this test binary.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("example-service")
    }

    @Test("logs in, subscribes, logs one line per handled event with channel and replay ID, and exits 0 on SIGTERM after draining")
    func runsUntilSIGTERM() async throws {
        let channel = "/topic/InvoiceStatementUpdates"
        let server = try await SimulatorServer.start(org: SimulatedOrg(configuration: SimulatorConfiguration(
            pollTimeout: .seconds(20), channels: [channel])))
        defer { Task { await server.shutdown() } }
        let binary = Self.executable
        try #require(FileManager.default.isExecutableFile(atPath: binary.path),
                     "build the executables first: swift build --build-tests (missing \(binary.path))")

        let process = Process()
        process.executableURL = binary
        process.arguments = ["simple-subscription", "--config", Self.packageRoot.appendingPathComponent("Examples/config.yaml").path]
        process.environment = ProcessInfo.processInfo.environment.merging(["SALESFORCE_LOGIN_URL": server.url]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let lines = OutputLines(output.fileHandleForReading)
        try process.run()

        try await server.org.waitForSubscribers(on: channel, timeout: .seconds(20))
        let ids = try await server.org.publish([
            .sobject(["Id": "a00D0000008o6y1IAA", "Name": "INV-1", "Status__c": "Open"], type: "created"),
            .sobject(["Id": "a00D0000008o6y2IAA", "Name": "INV-2", "Status__c": "Closed"], type: "updated"),
        ], to: channel)
        for id in ids {
            let seen = await lines.waitFor(timeout: .seconds(20)) {
                $0.contains("handled event on \(channel) replay_id=\(id)") && $0.contains("channel=\(channel)")
            }
            #expect(seen, "no log line for replay ID \(id)")
        }

        process.terminate()   // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect(await lines.waitFor(timeout: .seconds(1)) { $0.contains("service container stopped") })
    }

    @Test("a configuration without a required key exits non-zero with a message naming the key, no stack trace")
    func missingKeyExitsNonZero() throws {
        let binary = Self.executable
        try #require(FileManager.default.isExecutableFile(atPath: binary.path))
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID()).yaml")
        try "SALESFORCE:\n  PASSWORD: x\n".write(to: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: config) }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["simple-subscription", "--config", config.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus != 0)
        #expect(message.contains("SALESFORCE.USERNAME"))
        #expect(!message.contains("Fatal error"))
    }
}

/// Lines a child process writes, collected as they arrive.
actor OutputLines {
    private var lines: [String] = []
    private var partial = ""

    init(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard !data.isEmpty else { handle.readabilityHandler = nil; return }
            Task { await self?.append(String(decoding: data, as: UTF8.self)) }
        }
    }

    private func append(_ text: String) {
        partial += text
        var parts = partial.components(separatedBy: "\n")
        partial = parts.removeLast()
        lines += parts
    }

    /// Whether a line matching `predicate` arrives within `timeout`.
    func waitFor(timeout: Duration, _ predicate: (String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        repeat {
            if lines.contains(where: predicate) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        } while ContinuousClock.now < deadline
        return lines.contains(where: predicate) || predicate(partial)
    }
}
