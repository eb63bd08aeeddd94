// The service the no-loss test (Tests/NoLossTests) runs as a child process, until SIGINT/SIGTERM
// (or SIGKILL from the test):
//
//     loss-check-service --config Tests/LossCheckService/config.yaml
//
import Foundation
import Logging
import SalesforceStreaming
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

/// The Bayeux reconnect backoff from `LOSS_CHECK.BAYEUX_BACKOFF_INITIAL` and `_MAXIMUM` (seconds):
/// the test injects hundreds of faults in a row, and the default backoff (up to 30 s once failures
/// pile up without a long poll answered in between) would make it take far too long.
func environment(for configuration: ServiceConfiguration) throws -> ContainerEnvironment {
    var environment = ContainerEnvironment()
    let initial = try configuration.optionalDouble("LOSS_CHECK.BAYEUX_BACKOFF_INITIAL")
    let maximum = try configuration.optionalDouble("LOSS_CHECK.BAYEUX_BACKOFF_MAXIMUM")
    if initial != nil || maximum != nil {
        environment[BayeuxTuningKey.self] = { bayeux in
            if let initial { bayeux.backoff.initial = .milliseconds(Int64(initial * 1000)) }
            if let maximum { bayeux.backoff.maximum = .milliseconds(Int64(maximum * 1000)) }
        }
    }
    return environment
}

/// Exits when the process that started this one goes away (the test crashed or was killed), so
/// no orphan keeps running.
func exitWithParent() {
    let parent = getppid()
    Task.detached {
        while getppid() == parent {
            try? await Task.sleep(for: .milliseconds(500))
        }
        FileHandle.standardError.write(Data("loss-check-service: parent process \(parent) is gone; exiting\n".utf8))
        exit(3)
    }
}

exitWithParent()
LoggingSystem.bootstrap { StreamLogHandler.standardOutput(label: $0) }
do {
    let configuration = try ServiceConfiguration.load(path: configPath)
    var runner = ServiceRunner(configuration: configuration, environment: try environment(for: configuration))
    try runner.add(LossCheckService.self)
    try await runner.run()
} catch let error as ConfigurationError {
    fail("\(error)")
} catch {
    fail("stopped: \(error)")
}
