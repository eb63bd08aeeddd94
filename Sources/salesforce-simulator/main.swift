import Dispatch
import Foundation
import SalesforceSimulator
import SalesforceSimulatorServer

#if canImport(Glibc)
import Glibc
#endif

/// `salesforce-simulator`: a local Salesforce org (logins, Streaming API, control API) on HTTP.
let usage = """
usage: salesforce-simulator [options]

  --host HOST               address to bind (default 127.0.0.1)
  --port PORT               port to bind, 0 = any free port (default 8080)
  --base-url URL            instance URL put in login replies (default http://HOST:PORT)
  --poll-timeout SECONDS    long-poll timeout (default 110)
  --client-timeout SECONDS  forget clients idle this long (default 40)
  --username NAME           login user (default demo@example.com)
  --password PASSWORD       its password (default demo-password)
  --security-token TOKEN    its security token (default demo-token)
  --consumer-key KEY        OAuth connected app key (default demo-consumer-key)
  --consumer-secret SECRET  its secret (default demo-consumer-secret)
  --channel NAME            a channel that exists at start (repeatable), e.g. /topic/Invoices
  --replay-id-stride N      distance between replay IDs (default 1)
  --retention N             events kept per channel (default 100000)
  --max-events-per-reply N  events per /meta/connect reply (default 1000)
  -h, --help                this help

A second user, \(SimulatedUser.other.username) (password \(SimulatedUser.other.password), security token \(SimulatedUser.other.securityToken)),
can always log in too, so "a change by another user" can be made; it is left out only when
--username names it.
"""

struct Options {
    var host = "127.0.0.1"
    var port = 8080
    var baseURL: String?
    var configuration = SimulatorConfiguration()
    var user = SimulatedUser.demo
    var app = SimulatedConnectedApp.demo
}

/// Writes a line to standard output, unbuffered (scripts wait for the first line).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("salesforce-simulator: \(message)\n(see --help)\n".utf8))
    exit(2)
}

func parse(_ arguments: [String]) -> Options {
    var options = Options()
    var channels: [String] = []
    var rest = arguments[...]
    func value(_ flag: String) -> String {
        guard let v = rest.popFirst() else { fail("\(flag) needs a value") }
        return v
    }
    func seconds(_ flag: String) -> Duration {
        let text = value(flag)
        guard let s = Double(text), s > 0, s.isFinite else { fail("\(flag) expects a positive number of seconds, got '\(text)'") }
        return .milliseconds(Int64(s * 1000))
    }
    func positive(_ flag: String) -> Int {
        let text = value(flag)
        guard let n = Int(text), n >= 1 else { fail("\(flag) expects an integer ≥ 1, got '\(text)'") }
        return n
    }
    while let arg = rest.popFirst() {
        switch arg {
        case "-h", "--help": print(usage); exit(0)
        case "--host": options.host = value(arg)
        case "--port":
            let text = value(arg)
            guard let p = Int(text), (0...65535).contains(p) else { fail("--port expects 0-65535, got '\(text)'") }
            options.port = p
        case "--base-url": options.baseURL = value(arg)
        case "--poll-timeout": options.configuration.pollTimeout = seconds(arg)
        case "--client-timeout": options.configuration.clientTimeout = seconds(arg)
        case "--username": options.user.username = value(arg); options.user.email = options.user.username
        case "--password": options.user.password = value(arg)
        case "--security-token": options.user.securityToken = value(arg)
        case "--consumer-key": options.app.consumerKey = value(arg)
        case "--consumer-secret": options.app.consumerSecret = value(arg)
        case "--channel":
            let name = value(arg)
            guard SimulatedChannelKind(channel: name) != nil else {
                fail("--channel '\(name)' is not a Streaming API channel (/topic/X, /event/X__e, /data/XChangeEvent, /data/ChangeEvents, /u/X)")
            }
            channels.append(name)
        case "--replay-id-stride":
            let text = value(arg)
            guard let n = Int64(text), n >= 1 else { fail("--replay-id-stride expects an integer ≥ 1, got '\(text)'") }
            options.configuration.replayIDStride = n
        case "--retention": options.configuration.retention = positive(arg)
        case "--max-events-per-reply": options.configuration.maxEventsPerReply = positive(arg)
        default: fail("unknown argument '\(arg)'")
        }
    }
    // The second default user makes "a change by another user" possible, as in tests and examples.
    options.configuration.users = [options.user]
        + (options.user.username == SimulatedUser.other.username ? [] : [SimulatedUser.other])
    options.configuration.connectedApps = [options.app]
    options.configuration.channels = channels
    return options
}

let options = parse(Array(CommandLine.arguments.dropFirst()))
signal(SIGINT, SIG_IGN)
signal(SIGTERM, SIG_IGN)
let signalQueue = DispatchQueue(label: "salesforce-simulator.signals")
let (stopRequests, stopContinuation) = AsyncStream<Int32>.makeStream()
let sources = [SIGINT, SIGTERM].map { signo in
    let source = DispatchSource.makeSignalSource(signal: signo, queue: signalQueue)
    // `@Sendable` keeps the handler off the main actor: it runs on `signalQueue`.
    source.setEventHandler { @Sendable in stopContinuation.yield(signo) }
    source.resume()
    return source
}

do {
    let server = SimulatorServer(configuration: options.configuration, host: options.host, port: options.port,
                                 publicBaseURL: options.baseURL)
    let running = try await server.start()
    let base = options.baseURL ?? running.url
    say("salesforce-simulator listening on \(running.url)")
    say("  instance URL: \(base)   CometD: \(base)/cometd/64.0 (any version ≥ 37.0)")
    for user in options.configuration.users {
        say("  user \(user.username) password \(user.password) security token \(user.securityToken) (user ID \(user.userID))")
    }
    for app in options.configuration.connectedApps {
        say("  OAuth consumer key \(app.consumerKey) secret \(app.consumerSecret)")
    }
    say("  channels: \(options.configuration.channels.isEmpty ? "(none; POST /simulator/channels)" : options.configuration.channels.joined(separator: " "))")
    say("  control API: \(running.url)/simulator/stats")
    for await signo in stopRequests {
        say("salesforce-simulator: signal \(signo), shutting down")
        break
    }
    await running.shutdown()
    withExtendedLifetime(sources) {}
} catch {
    FileHandle.standardError.write(Data("salesforce-simulator: cannot start on \(options.host):\(options.port): \(error)\n".utf8))
    exit(1)
}
