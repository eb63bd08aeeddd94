import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// A real HTTP/1.1 server on 127.0.0.1 and an ephemeral port, for the transport tests.
///
/// Routes:
/// - `GET /hello`: `hello`, with `X-Test: yes`
/// - `* /echo`: the request body; headers `X-Method`, `X-Custom` (copied from the request),
///   `X-Content-Type` and `X-Expect` (the request's, or `none`), `X-Body-Length`
/// - `GET /status/:code`: that status, body `status <code>`
/// - `GET /set-cookie`: sets `BAYEUX_BROWSER=abc123`; `GET /cookie`: the request's `Cookie` or `none`
/// - `GET /sleep/:ms`: answers `slept` after that many milliseconds
/// - `GET /redirect`: `302` to `/hello`
/// - `GET /id/:n`: `n`, after a short pseudo-random delay
/// - `GET /peer`: the client's port (one per connection)
struct TestServer: Sendable {
    let port: Int
    let arrivals: Arrivals

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func url(_ path: String) -> String { baseURL + path }

    /// Counts requests per path as they arrive (before the handler answers).
    final class Arrivals: Sendable {
        private let counts = Mutex<[String: Int]>([:])

        func record(_ path: String) {
            counts.withLock { $0[path, default: 0] += 1 }
        }

        func count(_ path: String) -> Int {
            counts.withLock { $0[path] ?? 0 }
        }

        /// Waits until `path` has been requested at least once (up to 10 s).
        func wait(for path: String) async throws {
            for _ in 0..<1000 where count(path) == 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// Runs `body` with a started server; stops the server afterwards.
    static func with<T: Sendable>(_ body: (TestServer) async throws -> T) async throws -> T {
        let arrivals = Arrivals()
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "HTTPTransportTests.TestServer")
        logger.logLevel = .critical
        let app = Application(
            router: makeRouter(arrivals),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            },
            logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                throw CancellationError()
            }
            let result = try await body(TestServer(port: port, arrivals: arrivals))
            group.cancelAll()
            return result
        }
    }

    private struct Context: RequestContext {
        var coreContext: CoreRequestContextStorage
        let peerPort: Int

        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            peerPort = source.channel.remoteAddress?.port ?? -1
        }
    }

    private static func makeRouter(_ arrivals: Arrivals) -> Router<Context> {
        let router = Router(context: Context.self)
        router.get("hello") { _, _ in
            arrivals.record("/hello")
            return Response(status: .ok, headers: [HTTPField.Name("X-Test")!: "yes"],
                            body: .init(byteBuffer: ByteBuffer(string: "hello")))
        }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            router.on("echo", method: method) { request, _ in
                arrivals.record("/echo")
                var request = request
                let body = try await request.collectBody(upTo: 64 << 20)
                var headers = HTTPFields()
                headers[HTTPField.Name("X-Method")!] = request.method.rawValue
                headers[HTTPField.Name("X-Custom")!] = request.headers[HTTPField.Name("X-Custom")!] ?? "none"
                headers[HTTPField.Name("X-Content-Type")!] = request.headers[.contentType] ?? "none"
                headers[HTTPField.Name("X-Expect")!] = request.headers[.expect] ?? "none"
                headers[HTTPField.Name("X-Body-Length")!] = String(body.readableBytes)
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
            }
        }
        router.get("status/:code") { _, context in
            let code = try context.parameters.require("code", as: Int.self)
            return Response(status: .init(code: code),
                            body: .init(byteBuffer: ByteBuffer(string: "status \(code)")))
        }
        router.get("set-cookie") { _, _ in
            Response(status: .ok, headers: [.setCookie: "BAYEUX_BROWSER=abc123; Path=/"],
                     body: .init(byteBuffer: ByteBuffer(string: "set")))
        }
        router.get("cookie") { request, _ in
            request.headers[.cookie] ?? "none"
        }
        router.get("sleep/:ms") { _, context in
            arrivals.record("/sleep")
            let ms = try context.parameters.require("ms", as: Int.self)
            try await Task.sleep(for: .milliseconds(ms))
            return "slept"
        }
        router.get("redirect") { _, _ in
            Response(status: .found, headers: [.location: "/hello"],
                     body: .init(byteBuffer: ByteBuffer(string: "moved")))
        }
        router.get("id/:n") { _, context in
            let n = try context.parameters.require("n", as: Int.self)
            try await Task.sleep(for: .microseconds((n * 7919) % 3000))
            return "id-\(n)"
        }
        router.get("peer") { _, context in
            String(context.peerPort)
        }
        return router
    }
}
