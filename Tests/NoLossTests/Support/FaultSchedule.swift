/// SplitMix64: a small, fast generator whose whole sequence follows from its seed, so a run's
/// schedule can be repeated with `LOSS_CHECK_SEED`.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A kind of failure the no-loss run injects.
enum FaultKind: String, CaseIterable, Sendable, Comparable {
    // Simulator faults (SimulatedOrg.inject(fault:)).
    case dropNextLongPoll
    case httpError500
    case httpError503
    case tooBusy
    case expireSessions
    case forgetClients
    case serverDisconnect
    case malformedJSON
    case delay
    // Outside the simulator.
    /// `scripts/stop-redis` + `scripts/start-redis` of the replay store's Redis (no persistence:
    /// the stored positions are gone and must be written again from the service's memory).
    case redisRestart
    /// SIGKILL of the service process, then a new process.
    case serviceKill

    var isSimulatorFault: Bool { self != .redisRestart && self != .serviceKill }

    /// How often each simulator fault is drawn, relative to the others.
    var weight: Int {
        switch self {
        case .dropNextLongPoll, .httpError500, .httpError503, .malformedJSON, .forgetClients: 3
        case .tooBusy, .serverDisconnect, .expireSessions, .delay: 2
        case .redisRestart, .serviceKill: 0
        }
    }

    static func < (a: FaultKind, b: FaultKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One injected fault with its parameters.
struct Fault: Sendable, CustomStringConvertible {
    var kind: FaultKind
    /// Requests affected, for `httpError*` and `tooBusy`.
    var count = 1
    /// Reply delay, for `delay`.
    var milliseconds = 0

    var description: String {
        switch kind {
        case .httpError500, .httpError503, .tooBusy: "\(kind)(\(count))"
        case .delay: "delay(\(milliseconds) ms)"
        default: kind.rawValue
        }
    }
}

/// What the run does, derived from a seed: steps of one or two faults followed by a batch of events.
struct FaultSchedule: Sendable {
    struct Step: Sendable {
        var faults: [Fault]
        /// Events to publish after the faults: how many on each channel (by channel index).
        var events: [Int]
    }

    var steps: [Step]

    var faultCount: Int { steps.reduce(0) { $0 + $1.faults.count } }
    var eventCount: Int { steps.reduce(0) { $0 + $1.events.reduce(0, +) } }

    /// - Parameters:
    ///   - events: events to publish over all steps.
    ///   - simulatorFaults, redisRestarts, serviceKills: how many of each.
    ///   - channels: number of channels.
    init(seed: UInt64, events: Int, simulatorFaults: Int, redisRestarts: Int, serviceKills: Int, channels: Int) {
        var random = SeededGenerator(seed: seed)
        let weighted = FaultKind.allCases.flatMap { Array(repeating: $0, count: $0.weight) }
        var faults: [Fault] = []
        for _ in 0..<simulatorFaults {
            let kind = weighted.randomElement(using: &random)!
            var fault = Fault(kind: kind)
            switch kind {
            case .httpError500, .httpError503: fault.count = Int.random(in: 1...4, using: &random)
            case .tooBusy: fault.count = Int.random(in: 1...3, using: &random)
            case .delay: fault.milliseconds = Int.random(in: 20...250, using: &random)
            default: break
            }
            faults.append(fault)
        }
        faults += Array(repeating: Fault(kind: .redisRestart), count: redisRestarts)
        faults += Array(repeating: Fault(kind: .serviceKill), count: serviceKills)
        faults.shuffle(using: &random)

        // Simulator faults sometimes come in pairs; Redis restarts and kills come alone.
        var groups: [[Fault]] = []
        var index = 0
        while index < faults.count {
            var group = [faults[index]]
            index += 1
            if group[0].kind.isSimulatorFault, index < faults.count, faults[index].kind.isSimulatorFault,
               Int.random(in: 0..<10, using: &random) < 3 {
                group.append(faults[index])
                index += 1
            }
            groups.append(group)
        }

        steps = []
        for (number, group) in groups.enumerated() {
            let share = events / groups.count + (number < events % groups.count ? 1 : 0)
            var perChannel = Array(repeating: 0, count: channels)
            for _ in 0..<share { perChannel[Int.random(in: 0..<channels, using: &random)] += 1 }
            steps.append(Step(faults: group, events: perChannel))
        }
    }
}
