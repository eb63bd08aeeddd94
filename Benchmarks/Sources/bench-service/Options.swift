#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let usage = """
usage: bench-service --login-url URL --expect N [options]

Runs a @Subscribe service on /topic/BenchEvents against a (simulated) org over HTTP and prints
one line `RESULT {json}` once N new events were handled (or none came for --idle-timeout s).
Then waits for SIGTERM/SIGINT, stops gracefully (commits replay positions) and prints `STOPPED`.

  --login-url URL        SOAP login server (the simulator's URL)
  --expect N             events to wait for
  --max-workers N        handlers at once (default 10)
  --replay MODE          none (in-memory store, default) | redis=URI (PUSHTOPIC_REPLAY_ENABLED,
                         the project's Redis store) | bench-redis=URI (benchmark stand-in store)
  --after-replay-id K    replay IDs ≤ K count as stale, not new (catch-up runs)
  --idle-timeout S       report after S seconds without events (default 10)
  --channels N           1 (default: /topic/BenchEvents) or 100 (/topic/Bench1…100, events only counted)
  --drain                no framework: log in, subscribe and drain with raw CometD requests
                         (the simulator's ceiling)
  --exit-after-result    stop and exit right after RESULT, no signal handling (for profilers:
                         valgrind 3.19 crashes on libdispatch's signal thread)
  --username U --password P --security-token T   (default: the simulator's demo user)
"""

struct Options: Sendable {
    enum Replay: Sendable { case none, redis(String), benchRedis(String) }

    var loginURL = ""
    var expect = 0
    var maxWorkers = 10
    var replay = Replay.none
    var afterReplayID: Int64 = 0
    var idleTimeout = 10.0
    var drain = false
    var channels = 1
    var exitAfterResult = false
    var username = "demo@example.com"
    var password = "demo-password"
    var securityToken = "demo-token"

    static let parsed = Options.parse(Array(CommandLine.arguments.dropFirst()))

    static func fail(_ message: String) -> Never {
        writeLine("bench-service: \(message)\n\(usage)", to: STDERR_FILENO)
        exit(2)
    }

    static func parse(_ arguments: [String]) -> Options {
        var o = Options()
        var rest = arguments[...]
        func value(_ flag: String) -> String {
            guard let v = rest.popFirst() else { fail("\(flag) needs a value") }
            return v
        }
        func number<T: LosslessStringConvertible>(_ flag: String) -> T {
            let text = value(flag)
            guard let n = T(text) else { fail("\(flag): not a number: \(text)") }
            return n
        }
        while let arg = rest.popFirst() {
            switch arg {
            case "-h", "--help": print(usage); exit(0)
            case "--login-url": o.loginURL = value(arg)
            case "--expect": o.expect = number(arg)
            case "--max-workers": o.maxWorkers = number(arg)
            case "--after-replay-id": o.afterReplayID = number(arg)
            case "--idle-timeout": o.idleTimeout = number(arg)
            case "--drain": o.drain = true
            case "--channels":
                o.channels = number(arg)
                if o.channels != 1 && o.channels != 100 { fail("--channels: 1 or 100") }
            case "--exit-after-result": o.exitAfterResult = true
            case "--username": o.username = value(arg)
            case "--password": o.password = value(arg)
            case "--security-token": o.securityToken = value(arg)
            case "--replay":
                let mode = value(arg)
                if mode == "none" { o.replay = .none }
                else if mode.hasPrefix("redis=") { o.replay = .redis(String(mode.dropFirst(6))) }
                else if mode.hasPrefix("bench-redis=") { o.replay = .benchRedis(String(mode.dropFirst(12))) }
                else { fail("--replay: unknown mode \(mode)") }
            default: fail("unknown argument \(arg)")
            }
        }
        if o.loginURL.isEmpty || o.expect <= 0 { fail("--login-url and --expect are required") }
        return o
    }
}
