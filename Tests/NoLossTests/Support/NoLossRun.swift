import Foundation
import Redis
import SalesforceSimulator
import SalesforceSimulatorServer

/// Drives one no-loss run: its servers, the service process, the schedule, and the final count.
actor NoLossRun {
    struct Summary: Sendable {
        var report: LossReport
        var plannedEvents: Int
        var faults: Int
        var faultsByKind: [FaultKind: Int]
        var stalls: Int
        var unexpectedExits: [String]
        var seed: UInt64
        var seconds: Double
        var logFile: URL

        /// `no-loss: events=<n> faults=<n> (by kind ...) lost=<n> duplicates=<n> seed=<seed> seconds=<s>`
        var line: String {
            let kinds = faultsByKind.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return "no-loss: events=\(report.published) faults=\(faults) (by kind \(kinds)) lost=\(report.lostCount) "
                + "duplicates=\(report.duplicates) seed=\(seed) seconds=\(String(format: "%.1f", seconds))"
                + (stalls > 0 ? " stalls=\(stalls)" : "")
                + (unexpectedExits.isEmpty ? "" : " unexpected-exits=\(unexpectedExits.count)")
        }
    }

    /// Warm-up events per channel, published before any fault so every channel has a stored position.
    static let warmUpEvents = 10
    /// How long one step may take to show progress before the run goes on (counted as a stall).
    static let stepTimeout: Duration = .seconds(20)
    /// How long the final restart may take to handle everything.
    static let finalTimeout: Duration = .seconds(120)
    /// The final wait also ends when nothing new was handled for this long.
    static let finalQuietTimeout: Duration = .seconds(20)
    /// After this many stalls the schedule stops and the run goes to its final count.
    static let maxStalls = 5

    private let seed: UInt64
    private let schedule: FaultSchedule
    private let plan: NoLossPlan
    private let channels: [String]
    private let replayRedis: TestRedis
    private let ledgerRedis: TestRedis
    private let replayConnection: RedisConnection
    private let ledger: HandledLedgerReader
    private let simulator: RunningSimulator
    private let service: ServiceProcess
    private let workDirectory: URL
    private let started = ContinuousClock.now

    private var published: [String: Int] = [:]
    private var faultsByKind: [FaultKind: Int] = [:]
    private var faults = 0
    private var stalls = 0
    /// Events the run stopped waiting for after a stall (presumed lost): later steps wait for
    /// everything but these, so one loss does not make every following step time out.
    private var givenUp = 0

    private init(seed: UInt64, plan: NoLossPlan, channels: [String], replayRedis: TestRedis, ledgerRedis: TestRedis,
                 simulator: RunningSimulator, service: ServiceProcess, workDirectory: URL) {
        self.seed = seed
        self.plan = plan
        self.schedule = FaultSchedule(seed: seed, events: plan.events, simulatorFaults: plan.simulatorFaults,
                                      redisRestarts: plan.redisRestarts, serviceKills: plan.serviceKills,
                                      channels: channels.count)
        self.channels = channels
        self.replayRedis = replayRedis
        self.ledgerRedis = ledgerRedis
        self.replayConnection = replayRedis.connection(database: 11)
        self.ledger = HandledLedgerReader(redis: ledgerRedis.connection(database: 13))
        self.simulator = simulator
        self.service = service
        self.workDirectory = workDirectory
    }

    /// Starts both Redis instances and the simulator; the service is started by ``execute()``.
    static func start(seed: UInt64, plan: NoLossPlan, packageRoot: URL, executable: URL,
                      channels: [String]) async throws -> NoLossRun {
        let workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("no-loss-\(seed)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        let replayRedis = try await TestRedis.start()
        let ledgerRedis: TestRedis
        do {
            ledgerRedis = try await TestRedis.start()
        } catch {
            try? await replayRedis.stop()
            throw error
        }
        let org = SimulatedOrg(configuration: SimulatorConfiguration(
            pollTimeout: .seconds(2), clientTimeout: .seconds(5), retention: 1_000_000, channels: channels))
        let simulator = try await SimulatorServer.start(org: org)
        var environment = ProcessInfo.processInfo.environment
        // Everything the configuration reads is set here, so a variable of the caller's
        // environment (CI credentials, another MAX_WORKERS) cannot change the run.
        environment["SALESFORCE_LOGIN_URL"] = simulator.url
        environment["SALESFORCE_USERNAME"] = SimulatedUser.demo.username
        environment["SALESFORCE_PASSWORD"] = SimulatedUser.demo.password
        environment["SALESFORCE_SECURITY_TOKEN"] = SimulatedUser.demo.securityToken
        environment["MAX_WORKERS"] = "10"
        environment["PUSHTOPIC_REPLAY_TTL"] = nil
        environment["PUSHTOPIC_REPLAY_ENABLED"] = "true"
        environment["PUSHTOPIC_REPLAY_REDIS_URI"] = replayRedis.uri(database: 11)
        environment["LOSS_CHECK_LEDGER_REDIS_URI"] = ledgerRedis.uri(database: 13)
        let service = try ServiceProcess(
            executable: executable,
            arguments: ["--config", packageRoot.appendingPathComponent("Tests/LossCheckService/config.yaml").path],
            environment: environment, logFile: workDirectory.appendingPathComponent("service.log"))
        print("no-loss: simulator \(simulator.url), replay Redis :\(replayRedis.port), ledger Redis :\(ledgerRedis.port), "
              + "service log \(service.logFile.path)")
        return NoLossRun(seed: seed, plan: plan, channels: channels, replayRedis: replayRedis, ledgerRedis: ledgerRedis,
                         simulator: simulator, service: service, workDirectory: workDirectory)
    }

    /// Runs the schedule, the final restart and the count.
    func execute() async throws -> Summary {
        try await service.start()
        try await simulator.org.waitForSubscribers(on: channels[channels.count - 1], timeout: .seconds(60))
        try await publish(Array(repeating: Self.warmUpEvents, count: channels.count))
        guard try await waitForHandled(atLeast: totalPublished, timeout: .seconds(60)),
              try await waitForStoredPositions(timeout: .seconds(30)) else {
            throw NoLossTestError("the service did not handle the warm-up events; log:\n\(await service.tail(40))")
        }

        let steps = schedule.steps
        let verbose = ProcessInfo.processInfo.environment["LOSS_CHECK_VERBOSE"] != nil
        for (index, step) in steps.enumerated() {
            guard stalls < Self.maxStalls else {
                print("no-loss: \(stalls) stalls; stopping the schedule after \(index) of \(steps.count) steps")
                break
            }
            let stepStart = ContinuousClock.now
            try await run(step)
            if verbose {
                print("no-loss: step \(index + 1) \(step.faults) took \(ContinuousClock.now - stepStart)")
            }
            if (index + 1) % 25 == 0 || index + 1 == steps.count {
                print("no-loss: step \(index + 1)/\(steps.count) events=\(totalPublished) faults=\(faults) "
                      + "handled=\(try await ledger.distinct()) stalls=\(stalls) t=\(String(format: "%.0f", elapsed))s")
            }
        }

        // A last restart with no fault pending: everything published must get handled.
        await simulator.org.clearFaults()
        let status = await service.stop()
        await service.note("=== graceful stop before the final restart: exit status \(status.map(String.init) ?? "killed") ===")
        try await service.start()
        if !(try await waitForHandled(atLeast: totalPublished, timeout: Self.finalTimeout, quiet: Self.finalQuietTimeout)) {
            print("no-loss: not everything was handled after the final restart (\(try await ledger.distinct()) of \(totalPublished))")
        }
        let report = LossReport(counts: try await ledger.counts(), published: published)
        await service.stop()
        return Summary(report: report, plannedEvents: plan.events + Self.warmUpEvents * channels.count, faults: faults,
                       faultsByKind: faultsByKind, stalls: stalls, unexpectedExits: await service.unexpectedExits,
                       seed: seed, seconds: elapsed, logFile: service.logFile)
    }

    /// Stops the service, the simulator and both Redis instances; removes the logs unless asked to keep them.
    func shutdown(keepLogs: Bool) async {
        await service.stop(timeout: .seconds(5))
        await replayConnection.close()
        await ledger.redis.close()
        await simulator.shutdown()
        try? await replayRedis.stop()
        try? await ledgerRedis.stop()
        if !keepLogs { try? FileManager.default.removeItem(at: workDirectory) }
    }

    // MARK: Steps

    /// One step. Simulator faults are injected first and hit the delivery of the step's batch.
    /// A Redis restart or a SIGKILL hits while the batch is being handled: half the batch is
    /// published, the fault comes once some of it is handled, the other half is published during
    /// the outage. The step ends when everything published so far is handled, so the next fault
    /// finds a recovered service (otherwise the reconnect backoff keeps growing).
    private func run(_ step: FaultSchedule.Step) async throws {
        try await service.restartIfExited()
        let outage = step.faults.first { !$0.kind.isSimulatorFault }
        var delayed = false
        for fault in step.faults where fault.kind.isSimulatorFault {
            await service.note("=== fault: \(fault) ===")
            switch fault.kind {
            case .dropNextLongPoll: await simulator.org.inject(fault: .dropNextLongPoll)
            case .httpError500: await simulator.org.inject(fault: .httpError(status: 500, count: fault.count))
            case .httpError503: await simulator.org.inject(fault: .httpError(status: 503, count: fault.count))
            case .tooBusy: await simulator.org.inject(fault: .tooBusy(count: fault.count))
            case .expireSessions: await simulator.org.inject(fault: .expireSessions)
            case .forgetClients: await simulator.org.inject(fault: .forgetClients)
            case .serverDisconnect: await simulator.org.inject(fault: .serverDisconnect)
            case .malformedJSON: await simulator.org.inject(fault: .malformedJSON)
            case .delay:
                await simulator.org.inject(fault: .delay(milliseconds: fault.milliseconds))
                delayed = true
            case .redisRestart, .serviceKill: break
            }
            count(fault)
        }
        if let outage {
            let before = totalPublished
            let firstHalf = step.events.map { $0 / 2 }
            let secondHalf = zip(step.events, firstHalf).map { $0 - $1 }
            try await publish(firstHalf)
            let someHandled = before + max(1, firstHalf.reduce(0, +) / 3)
            if !(try await waitForHandled(atLeast: someHandled - givenUp, timeout: Self.stepTimeout)) {
                try await stalled("before the \(outage)", target: someHandled)
            }
            await service.note("=== fault: \(outage) ===")
            switch outage.kind {
            case .redisRestart:
                // Events arrive during the outage and after it: those after it make the service
                // write its positions again soon (the store upkeep would, but only every TTL/4).
                try await replayRedis.stop()
                try await publish(secondHalf.map { $0 / 2 })
                try await replayRedis.start()
                try await publish(secondHalf.map { $0 - $0 / 2 })
            case .serviceKill:
                try await service.sigkill()
                // Events published while the service is down must come from the stored positions.
                try await publish(secondHalf)
                try await service.start()
            default: break
            }
            count(outage)
        } else {
            try await publish(step.events)
        }
        if !(try await waitForHandled(atLeast: totalPublished - givenUp, timeout: Self.stepTimeout)) {
            try await stalled("after \(step.faults)", target: totalPublished - givenUp)
            givenUp = totalPublished - (try await ledger.distinct())
        }
        // The replay store lost its positions: a kill before they are written again would
        // (rightly) restart from new events only, so wait until the service wrote them back.
        if outage?.kind == .redisRestart, !(try await waitForStoredPositions(timeout: Self.stepTimeout)) {
            try await stalled("replay positions not written back after the Redis restart", target: channels.count)
        }
        if delayed { await simulator.org.inject(fault: .delay(milliseconds: 0)) }
    }

    private func count(_ fault: Fault) {
        faults += 1
        faultsByKind[fault.kind, default: 0] += 1
    }

    private func stalled(_ what: String, target: Int) async throws {
        stalls += 1
        let message = "stall \(what): \(try await ledger.distinct()) of \(target) handled after \(Self.stepTimeout)"
        print("no-loss: \(message)")
        await service.note("=== \(message) ===")
    }

    private func publish(_ perChannel: [Int]) async throws {
        for (index, count) in perChannel.enumerated() where count > 0 {
            let channel = channels[index]
            let first = (published[channel] ?? 0) + 1
            let bodies = (first..<first + count).map { number in
                SimulatedEventBody.sobject(["Id": .string("a00LC\(index + 1)\(String(number).leftPadded(to: 12))"),
                                            "Name": .string(String(number))], type: "created")
            }
            _ = try await simulator.org.publish(bodies, to: channel)
            published[channel] = first + count - 1
        }
    }

    // MARK: Conditions

    private var totalPublished: Int { published.values.reduce(0, +) }
    private var elapsed: Double {
        let duration = ContinuousClock.now - started
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Waits until at least `target` distinct events are in the ledger; false after `timeout`,
    /// or once nothing new was handled for `quiet`.
    private func waitForHandled(atLeast target: Int, timeout: Duration, quiet: Duration? = nil) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        var last = -1
        var lastChange = ContinuousClock.now
        while true {
            let handled = try await ledger.distinct()
            if handled >= target { return true }
            if handled != last { last = handled; lastChange = .now }
            guard ContinuousClock.now < deadline else { return false }
            if let quiet, ContinuousClock.now - lastChange > quiet { return false }
            try await service.restartIfExited()
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits until the replay store holds a position for every channel; false after `timeout`.
    private func waitForStoredPositions(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let stored = (try? await replayConnection.command(["KEYS", "*replay_id*"]).arrayValue?.count) ?? 0
            if stored >= channels.count { return true }
            guard ContinuousClock.now < deadline else { return false }
            try await service.restartIfExited()
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

private extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
