// The README's demo: the seed's Simple Subscription service (Examples/Services/InvoiceService.swift)
// against an embedded Salesforce org simulator over real HTTP (libcurl), with the in-memory replay
// store. It publishes sample invoice events, prints each handled event's channel and replay ID,
// then stops the service gracefully.
import Examples
import Foundation
import Logging
import SalesforceSimulator
import SalesforceSimulatorServer
import ServiceKit

let channel = "/topic/InvoiceStatementUpdates"
let eventCount = 5

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardOutput(label: label)
    handler.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    return handler
}

let org = SimulatedOrg(configuration: SimulatorConfiguration(pollTimeout: .seconds(20), channels: [channel]))
let server = try await SimulatorServer.start(org: org)
print("demo: simulated Salesforce org listening at \(server.url)")

// The service reads Examples/config.yaml, as it would in production; only LOGIN_URL points here.
let configPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("config.yaml").path
var variables = ProcessInfo.processInfo.environment
variables["SALESFORCE_LOGIN_URL"] = server.url
let configuration = try ServiceConfiguration.load(path: configPath, environment: variables)

let (handled, handledContinuation) = AsyncStream.makeStream(of: WorkerContext.self)
var environment = ContainerEnvironment()
environment[WorkerObserverKey.self] = { worker, result in
    if case .success = result { handledContinuation.yield(worker) }
}
let container = try ServiceContainer(InvoiceService.self, configuration: configuration, environment: environment)
try await container.start()
try await org.waitForSubscribers(on: channel)

let statuses = ["Open", "Negotiating", "Pending", "Closed", "Paid"]
for number in 1...eventCount {
    let replayID = try await org.publish(.sobject([
        "Id": .string("a00D0000008o6y\(number)IAA"),
        "Name": .string("INV-000\(number)"),
        "Status__c": .string(statuses[(number - 1) % statuses.count]),
    ], type: number == 1 ? "created" : "updated"), to: channel)
    print("demo: published invoice INV-000\(number) on \(channel) (replay ID \(replayID))")
}

var seen = 0
let timeout = Task {
    try await Task.sleep(for: .seconds(30))
    handledContinuation.finish()
}
for await worker in handled {
    seen += 1
    print("demo: handled event \(seen)/\(eventCount): channel=\(worker.data["channel"] ?? "?") replay_id=\(worker.data["replay_id"] ?? "?")")
    if seen == eventCount { break }
}
timeout.cancel()

await container.stop()
await server.shutdown()
guard seen == eventCount else {
    print("demo: FAILED: only \(seen) of \(eventCount) events were handled within 30 s")
    exit(1)
}
print("demo: all \(eventCount) events handled; service stopped gracefully")
