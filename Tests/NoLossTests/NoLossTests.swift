import Foundation
import Redis
import SalesforceSimulator
import SalesforceSimulatorServer
import Testing

/// Issue 4 part 6: no event is lost while everything around the service fails.
///
/// Redis (two private instances: the replay store's, restarted during the run, and the ledger's),
/// the simulator over real HTTP in this process, and `loss-check-service` as a child process
/// configured only by its YAML file. A seeded schedule (`LOSS_CHECK_SEED`, printed) interleaves
/// batches of numbered events on four PushTopic channels with simulator faults, Redis restarts
/// and SIGKILLs of the service. After a last restart without faults, every published event must
/// have been handled at least once; duplicates are counted and reported, not failed.
@Suite("no loss under faults")
struct NoLossTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `loss-check-service` executable built next to this test binary.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("loss-check-service")
    }

    static let channels = (1...4).map { "/topic/LossCheck\($0)" }

    @Test("every event published on four channels is handled at least once through 200+ simulator faults, Redis restarts and SIGKILLs of the service",
          .timeLimit(.minutes(8)))
    func noEventIsLost() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["LOSS_CHECK_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64(UInt32.max))
        func setting(_ name: String, _ value: Int) -> Int { environment[name].flatMap { Int($0) } ?? value }
        let plan = NoLossPlan(events: setting("LOSS_CHECK_EVENTS", 20_000),
                              simulatorFaults: setting("LOSS_CHECK_SIMULATOR_FAULTS", 200),
                              redisRestarts: setting("LOSS_CHECK_REDIS_RESTARTS", 10),
                              serviceKills: setting("LOSS_CHECK_KILLS", 10))
        print("no-loss: seed=\(seed) (LOSS_CHECK_SEED=\(seed) repeats this schedule) plan=\(plan)")
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path),
                     "build the executables first: swift build --build-tests (missing \(Self.executable.path))")

        let run = try await NoLossRun.start(seed: seed, plan: plan, packageRoot: Self.packageRoot,
                                            executable: Self.executable, channels: Self.channels)
        let outcome: Result<NoLossRun.Summary, any Error>
        do {
            outcome = .success(try await run.execute())
        } catch {
            outcome = .failure(error)
        }
        await run.shutdown(keepLogs: environment["LOSS_CHECK_KEEP_LOGS"] != nil || (try? outcome.get().report.lostCount == 0) != true)
        let summary = try outcome.get()
        let report = summary.report

        print(summary.line)
        if report.lostCount > 0 {
            for (channel, numbers) in report.lost.sorted(by: { $0.key < $1.key }) {
                print("no-loss: lost on \(channel): \(numbers.count) event(s), first \(numbers.prefix(20))")
            }
            print("no-loss: service log kept at \(summary.logFile.path)")
        }
        #expect(report.lostCount == 0, "lost \(report.lostCount) event(s); seed \(seed); log \(summary.logFile.path)")
        #expect(report.unknown.isEmpty, "ledger has events that were never published: \(report.unknown.prefix(10))")
        #expect(summary.faults == plan.totalFaults, "the schedule did not run to the end")
        #expect(report.published == summary.plannedEvents)
        #expect(summary.unexpectedExits.isEmpty, "the service exited on its own: \(summary.unexpectedExits)")
    }
}

/// How much the run does.
struct NoLossPlan: Sendable, CustomStringConvertible {
    var events: Int
    var simulatorFaults: Int
    var redisRestarts: Int
    var serviceKills: Int
    var totalFaults: Int { simulatorFaults + redisRestarts + serviceKills }
    var description: String {
        "events=\(events) simulatorFaults=\(simulatorFaults) redisRestarts=\(redisRestarts) serviceKills=\(serviceKills)"
    }
}
