// Runs one of the example services until SIGINT/SIGTERM, as `nameko run` does:
//
//     example-service simple-subscription --config Examples/config.yaml
//
import Examples
import Foundation
import Logging
import ServiceKit

let services: [String: @Sendable (inout ServiceRunner) throws -> Void] = [
    "simple-subscription": { try $0.add(InvoiceService.self) },
    "contact-updates": { try $0.add(ContactUpdatesService.self) },
    "contact-names": { try $0.add(ContactNameService.self) },
    "contact-changes": { try $0.add(ContactChangesService.self) },
    "student-contacts": { try $0.add(StudentContactService.self) },
    "salesforce-proxy": { try $0.add(SalesforceEventProxy.self) },
    "lead-follow-up": { try $0.add(LeadFollowUpService.self) },
]

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("example-service: \(message)\n".utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var configPath = "Examples/config.yaml"
if let index = arguments.firstIndex(of: "--config") {
    guard index + 1 < arguments.count else { fail("--config needs a path") }
    configPath = arguments[index + 1]
    arguments.removeSubrange(index...index + 1)
}
guard arguments.count == 1, let add = services[arguments[0]] else {
    fail("usage: example-service <\(services.keys.sorted().joined(separator: "|"))> [--config PATH]")
}

LoggingSystem.bootstrap { StreamLogHandler.standardOutput(label: $0) }
do {
    let configuration = try ServiceConfiguration.load(path: configPath)
    var runner = ServiceRunner(configuration: configuration)
    try add(&runner)
    try await runner.run()
} catch let error as ConfigurationError {
    fail("\(error)")
} catch {
    fail("stopped: \(error)")
}
