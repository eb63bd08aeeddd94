import Foundation
import HTTPTransport
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SalesforceSimulator
import ServiceLifecycle

/// Serves a ``SimulatedOrg`` over HTTP/1.1 on a local address (Hummingbird 2).
///
/// Every request goes to ``SimulatedOrg/handle(_:)``; a ``SimulatorReply/drop`` is sent as a
/// response whose `Content-Length` promises more than is written before the connection is closed,
/// so the client sees a transfer error, not a short body. There is no idle timeout: a long poll
/// lasts as long as the org holds it. Connections are kept alive between requests.
///
/// As on Salesforce, a long poll the client abandons (closes its connection) stays held until
/// it is answered, and the events in that answer are lost for that client ID; a client recovers
/// them by re-handshaking and subscribing from its last replay ID. (Hummingbird can only notice a
/// closed connection by giving up keep-alive, which would change the wire behaviour.) Accepted sockets have `TCP_NODELAY` (SwiftNIO sets it on the
/// listening socket, which accepted sockets inherit on Linux).
public struct SimulatorServer: Sendable {
    public var configuration: SimulatorConfiguration
    /// The address to bind, `127.0.0.1` by default.
    public var host: String
    /// The port to bind; 0 picks a free one.
    public var port: Int
    /// The instance URL put in login replies; `nil` means `http://<host>:<bound port>`.
    /// (Clients that ignore cookies from IP-address hosts, like aiohttp, need `http://localhost:<port>`.)
    public var publicBaseURL: String?
    public var logger: Logger

    public init(configuration: SimulatorConfiguration = SimulatorConfiguration(), host: String = "127.0.0.1",
                port: Int = 0, publicBaseURL: String? = nil,
                logger: Logger = Logger(label: "salesforce-simulator")) {
        self.configuration = configuration
        self.host = host
        self.port = port
        self.publicBaseURL = publicBaseURL
        self.logger = logger
    }

    /// Binds and starts serving; returns once the port is bound (or throws if it cannot be).
    public func start() async throws -> RunningSimulator {
        let org = SimulatedOrg(configuration: configuration, logger: logger)
        return try await Self.start(org: org, host: host, port: port, publicBaseURL: publicBaseURL, logger: logger)
    }

    /// Serves an existing org (its base URL is set to the server's URL).
    public static func start(org: SimulatedOrg, host: String = "127.0.0.1", port: Int = 0,
                             publicBaseURL: String? = nil,
                             logger: Logger = Logger(label: "salesforce-simulator")) async throws -> RunningSimulator {
        let (bound, boundContinuation) = AsyncStream<Result<Int, any Error>>.makeStream()
        var appLogger = logger
        // Hummingbird logs cancelled connections at shutdown as errors; failures that matter
        // (bind errors) are thrown from `start()` instead.
        appLogger.logLevel = .critical
        let app = Application(
            responder: OrgResponder(org: org),
            server: .http1(configuration: .init(idleTimeout: nil)),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                boundContinuation.yield(.success(channel.localAddress?.port ?? port))
            },
            logger: appLogger)
        // In a service group of its own, so that shutdown can be graceful (answer what is in
        // flight, close idle connections) rather than cancel connections mid-reply.
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: appLogger)
        let task = Task {
            do {
                try await group.run()
                boundContinuation.yield(.failure(SimulatorServerError.stopped))
            } catch {
                boundContinuation.yield(.failure(error))
            }
            boundContinuation.finish()
        }
        var result: Result<Int, any Error> = .failure(SimulatorServerError.stopped)
        for await first in bound {
            result = first
            break
        }
        let boundPort = try result.get()
        let url = "http://\(host.contains(":") ? "[\(host)]" : host):\(boundPort)"
        await org.setBaseURL(publicBaseURL ?? url)
        return RunningSimulator(org: org, port: boundPort, url: url, group: group, task: task)
    }
}

/// Why the simulator server is not running.
public enum SimulatorServerError: Error, Sendable {
    /// The server stopped before it was bound.
    case stopped
}

/// A simulator server that is running: its org, port and URL.
public final class RunningSimulator: Sendable {
    /// The org it serves (publish events, inject faults, read stats here).
    public let org: SimulatedOrg
    /// The bound port.
    public let port: Int
    /// `http://<host>:<port>`.
    public let url: String
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    init(org: SimulatedOrg, port: Int, url: String, group: ServiceGroup, task: Task<Void, Never>) {
        self.org = org
        self.port = port
        self.url = url
        self.group = group
        self.task = task
    }

    /// Stops serving: held long polls are answered at once (and no new ones held), the server
    /// shuts down gracefully (replies in flight are sent, idle connections closed), and after
    /// `gracePeriod` whatever is left is cancelled: a client that keeps a connection open cannot
    /// keep a stopping simulator alive.
    public func shutdown(gracePeriod: Duration = .seconds(5)) async {
        await org.endLongPolls()
        await group.triggerGracefulShutdown()
        if await !ended(within: gracePeriod) {
            task.cancel()
            _ = await ended(within: gracePeriod)
        }
    }

    /// Whether the server task ends within `limit`.
    private func ended(within limit: Duration) async -> Bool {
        let (outcome, report) = AsyncStream<Bool>.makeStream()
        Task { [task] in
            await task.value
            report.yield(true)
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            report.yield(false)
        }
        defer { timer.cancel() }
        for await ended in outcome { return ended }
        return false
    }

    /// Waits until the server stops.
    public func wait() async {
        await task.value
    }
}

/// Turns Hummingbird requests into ``HTTPRequest``s for the org and its replies into responses.
struct OrgResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let org: SimulatedOrg

    /// Large enough for bulk publishes through the control API.
    static let maxBody = 64 * 1024 * 1024

    struct DroppedConnection: Error {}

    func respond(to request: Request, context: Context) async throws -> Response {
        guard let method = HTTPTransport.HTTPMethod(rawValue: request.method.rawValue) else {
            return Response(status: .methodNotAllowed)
        }
        var request = request
        let body = try await request.collectBody(upTo: Self.maxBody)
        let host = request.head.authority ?? "127.0.0.1"
        let headers = request.headers.map { (name: $0.name.rawName, value: $0.value) }
        let httpRequest = HTTPTransport.HTTPRequest(method: method, url: "http://\(host)\(request.uri.description)", headers: headers,
                                      body: body.readableBytes > 0 ? Data(buffer: body) : nil)
        switch await org.handle(httpRequest) {
        case .response(let response):
            var fields = HTTPFields()
            for (name, value) in response.headers {
                if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
            }
            return Response(status: .init(code: response.status), headers: fields,
                            body: .init(byteBuffer: ByteBuffer(bytes: response.bytes)))
        case .drop:
            let partial = ByteBuffer(string: "[{\"channel\":\"/meta/connect\",")
            return Response(
                status: .ok, headers: [.contentType: "application/json;charset=UTF-8"],
                body: ResponseBody(contentLength: 4096) { writer in
                    try await writer.write(partial)
                    throw DroppedConnection()
                })
        }
    }
}
