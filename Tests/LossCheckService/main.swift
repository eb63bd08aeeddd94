// The service the no-loss test (Tests/NoLossTests) runs as a child process, until SIGINT/SIGTERM
// (or SIGKILL from the test):
//
//     loss-check-service --config Tests/LossCheckService/config.yaml
//
import Foundation
import Logging
import ServiceKit

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("loss-check-service: \(message)\n".utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var configPath = "Tests/LossCheckService/config.yaml"
if let index = arguments.firstIndex(of: "--config") {
    guard index + 1 < arguments.count else { fail("--config needs a path") }
    configPath = arguments[index + 1]
    arguments.removeSubrange(index...index + 1)
}
guard arguments.isEmpty else { fail("usage: loss-check-service [--config PATH]") }

LoggingSystem.bootstrap { StreamLogHandler.standardOutput(label: $0) }
do {
    let configuration = try ServiceConfiguration.load(path: configPath)
    var runner = ServiceRunner(configuration: configuration)
    try runner.add(LossCheckService.self)
    try await runner.run()
} catch let error as ConfigurationError {
    fail("\(error)")
} catch {
    fail("stopped: \(error)")
}
