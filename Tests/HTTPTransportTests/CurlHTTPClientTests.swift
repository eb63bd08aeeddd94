import Foundation
import TestSupport
import Testing
@testable import HTTPTransport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("CurlHTTPClient against a real local server")
struct CurlHTTPClientTests {
    private func string(_ response: HTTPResponse) -> String {
        String(decoding: response.body, as: UTF8.self)
    }

    @Test("GET returns the status, the response headers and the body")
    func getReturnsResponse() async throws {
        try await TestServer.with { server in
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            let response = try await client.send(HTTPRequest(method: .get, url: server.url("/hello")))
            #expect(response.status == 200)
            #expect(string(response) == "hello")
            #expect(response.header("x-test") == "yes")
            #expect(response.header("Content-Length") == "5")
        }
    }

    @Test("POST sends the body and headers exactly as given: no Expect, no default Content-Type")
    func postSendsBodyAndHeaders() async throws {
        try await TestServer.with { server in
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            let labelled = try await client.send(HTTPRequest(
                method: .post, url: server.url("/echo"),
                headers: [("Content-Type", "application/json"), ("X-Custom", "value 1")],
                body: Data(#"{"a":1}"#.utf8)))
            #expect(labelled.status == 200)
            #expect(string(labelled) == #"{"a":1}"#)
            #expect(labelled.header("X-Method") == "POST")
            #expect(labelled.header("X-Custom") == "value 1")
            #expect(labelled.header("X-Content-Type") == "application/json")
            #expect(labelled.header("X-Expect") == "none")

            let unlabelled = try await client.send(HTTPRequest(
                method: .post, url: server.url("/echo"), body: Data("raw".utf8)))
            #expect(string(unlabelled) == "raw")
            #expect(unlabelled.header("X-Content-Type") == "none")

            // A field with an empty value is sent (libcurl would drop "Name:"), not omitted.
            let empty = try await client.send(HTTPRequest(
                method: .post, url: server.url("/echo"), headers: [("X-Custom", "")]))
            #expect(empty.header("X-Custom") == "")
            #expect(empty.header("X-Body-Length") == "0")
        }
    }

    @Test("A large binary body round-trips intact, without Expect: 100-continue")
    func largeBodyRoundTrips() async throws {
        try await TestServer.with { server in
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            let body = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) })
            let response = try await client.send(HTTPRequest(
                method: .post, url: server.url("/echo"),
                headers: [("Content-Type", "application/octet-stream")], body: body))
            #expect(response.header("X-Expect") == "none")
            #expect(response.header("X-Body-Length") == String(body.count))
            #expect(response.body == body)
        }
    }

    @Test("PUT, PATCH and DELETE reach the server with their method and body")
    func otherMethods() async throws {
        try await TestServer.with { server in
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            for method in [HTTPMethod.put, .patch, .delete] {
                let response = try await client.send(HTTPRequest(
                    method: method, url: server.url("/echo"), body: Data("b-\(method.rawValue)".utf8)))
                #expect(response.header("X-Method") == method.rawValue)
                #expect(string(response) == "b-\(method.rawValue)")
            }
            let delete = try await client.send(HTTPRequest(method: .delete, url: server.url("/echo")))
            #expect(delete.header("X-Method") == "DELETE")
            #expect(delete.header("X-Body-Length") == "0")
            let emptyPut = try await client.send(HTTPRequest(method: .put, url: server.url("/echo")))
            #expect(emptyPut.header("X-Method") == "PUT")
            #expect(emptyPut.header("X-Body-Length") == "0")
        }
    }

    @Test("Non-2xx statuses are responses, not errors", arguments: [400, 401, 403, 404, 500, 503])
    func non2xxIsResponse(status: Int) async throws {
        try await TestServer.with { server in
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            let response = try await client.send(HTTPRequest(method: .get, url: server.url("/status/\(status)")))
            #expect(response.status == status)
            #expect(string(response) == "status \(status)")
        }
    }

    @Test("Redirects are returned, not followed")
    func redirectNotFollowed() async throws {
        try await TestServer.with { server in
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            let response = try await client.send(HTTPRequest(method: .get, url: server.url("/redirect")))
            #expect(response.status == 302)
            #expect(response.header("Location") == "/hello")
            #expect(string(response) == "moved")
            #expect(server.arrivals.count("/hello") == 0)
        }
    }

    @Test("Cookies set by the server are sent back by the same client only")
    func cookiesPerClient() async throws {
        try await TestServer.with { server in
            let client = CurlHTTPClient()
            let other = CurlHTTPClient()
            let noJar = CurlHTTPClient(configuration: .init(cookies: false))
            defer { client.shutdown(); other.shutdown(); noJar.shutdown() }

            let before = try await client.send(HTTPRequest(method: .get, url: server.url("/cookie")))
            #expect(string(before) == "none")
            for c in [client, noJar] {
                _ = try await c.send(HTTPRequest(method: .get, url: server.url("/set-cookie")))
            }
            // Many concurrent requests use several connections and easy handles: all see the jar.
            let cookies = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        String(decoding: try await client.send(
                            HTTPRequest(method: .get, url: server.url("/cookie"))).body, as: UTF8.self)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(cookies == Array(repeating: "BAYEUX_BROWSER=abc123", count: 8))

            let fromOther = try await other.send(HTTPRequest(method: .get, url: server.url("/cookie")))
            #expect(string(fromOther) == "none")
            let fromNoJar = try await noJar.send(HTTPRequest(method: .get, url: server.url("/cookie")))
            #expect(string(fromNoJar) == "none")
        }
    }

    @Test("Sequential requests reuse one keep-alive connection")
    func connectionReuse() async throws {
        try await TestServer.with { server in
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            var peers = Set<String>()
            for _ in 0..<20 {
                peers.insert(string(try await client.send(HTTPRequest(method: .get, url: server.url("/peer")))))
            }
            #expect(peers.count == 1)
        }
    }

    @Test("Sustained concurrency above maxConnections reuses connections instead of churning them")
    func concurrentReuse() async throws {
        try await TestServer.with { server in
            let client = CurlHTTPClient(configuration: .init(maxConnections: 4))
            defer { client.shutdown() }
            let peers = try await withThrowingTaskGroup(of: Set<String>.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        var peers = Set<String>()
                        for _ in 0..<25 {
                            let response = try await client.send(HTTPRequest(method: .get, url: server.url("/peer")))
                            peers.insert(String(decoding: response.body, as: UTF8.self))
                        }
                        return peers
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.formUnion($1) }
            }
            // 12 concurrent tasks need about 12 connections; a cache capped below the load
            // would open one per request (300).
            #expect(peers.count <= 30)
        }
    }

    @Test("A request that outlives its timeout fails with .timedOut, well before the server answers")
    func requestTimeout() async throws {
        try await TestServer.with { server in
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            let clock = ContinuousClock()
            let start = clock.now
            await #expect(throws: HTTPClientError.timedOut) {
                try await client.send(HTTPRequest(method: .get, url: server.url("/sleep/10000"),
                                                  timeout: .milliseconds(300)))
            }
            #expect(clock.now - start < .seconds(5))
            // The client is still usable.
            let response = try await client.send(HTTPRequest(method: .get, url: server.url("/hello")))
            #expect(response.status == 200)
        }
    }

    @Test("Cancelling the awaiting task aborts an in-flight request with .cancelled; the client keeps working")
    func cancelInFlight() async throws {
        try await TestServer.with { server in
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            let clock = ContinuousClock()
            let task = Task {
                try await client.send(HTTPRequest(method: .get, url: server.url("/sleep/30000"),
                                                  timeout: .seconds(60)))
            }
            try await server.arrivals.wait(for: "/sleep")
            #expect(server.arrivals.count("/sleep") == 1)
            let start = clock.now
            task.cancel()
            let result = await task.result
            #expect(clock.now - start < .seconds(5))
            #expect(throws: HTTPClientError.cancelled) { try result.get() }

            for _ in 0..<3 {
                let response = try await client.send(HTTPRequest(method: .get, url: server.url("/hello")))
                #expect(string(response) == "hello")
            }
        }
    }

    @Test("A request from an already-cancelled task throws .cancelled without being sent")
    func alreadyCancelled() async throws {
        try await TestServer.with { server in
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await client.send(HTTPRequest(method: .get, url: server.url("/hello")))
            }
            await #expect(throws: HTTPClientError.cancelled) { try await value(of: task, within: .seconds(10)) }
            #expect(server.arrivals.count("/hello") == 0)
        }
    }

    @Test("Many concurrent requests all complete with their own bodies")
    func manyConcurrentRequests() async throws {
        try await TestServer.with { server in
            let client = CurlHTTPClient(configuration: .init(maxConnections: 4))
            defer { client.shutdown() }
            let count = 300
            let results = try await withThrowingTaskGroup(of: (Int, String, String).self) { group in
                for i in 0..<count {
                    group.addTask {
                        if i.isMultiple(of: 2) {
                            let r = try await client.send(HTTPRequest(method: .get, url: server.url("/id/\(i)")))
                            return (i, String(decoding: r.body, as: UTF8.self), "id-\(i)")
                        } else {
                            let body = "body-\(i)-" + String(repeating: "x", count: i * 13)
                            let r = try await client.send(HTTPRequest(
                                method: .post, url: server.url("/echo"), body: Data(body.utf8)))
                            return (i, String(decoding: r.body, as: UTF8.self), body)
                        }
                    }
                }
                return try await group.reduce(into: [(Int, String, String)]()) { $0.append($1) }
            }
            #expect(results.count == count)
            #expect(Set(results.map(\.0)).count == count)
            for (i, got, expected) in results where got != expected {
                Issue.record("request \(i): got \(got.prefix(40)), expected \(expected.prefix(40))")
            }
        }
    }

    @Test("Connection refused fails with .connectionFailed")
    func connectionRefused() async throws {
        let (socket, port) = try Self.boundButNotListening()
        defer { close(socket) }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        do {
            _ = try await client.send(HTTPRequest(method: .get, url: "http://127.0.0.1:\(port)/"))
            Issue.record("expected an error")
        } catch let error as HTTPClientError {
            guard case .connectionFailed(let message) = error else {
                Issue.record("expected .connectionFailed, got \(error)")
                return
            }
            #expect(!message.isEmpty)
        }
    }

    /// libcurl's TLS handshake meets a plain-HTTP server, which answers the ClientHello with an
    /// HTTP 400 or closes: OpenSSL reports "wrong version number"/unexpected EOF, which libcurl
    /// returns as `CURLE_SSL_CONNECT_ERROR`, hence `.tls`.
    @Test("https:// to a plain-HTTP port fails with .tls")
    func httpsToPlainPort() async throws {
        try await TestServer.with { server in
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            do {
                _ = try await client.send(HTTPRequest(method: .get, url: "https://127.0.0.1:\(server.port)/hello"))
                Issue.record("expected an error")
            } catch let error as HTTPClientError {
                guard case .tls = error else {
                    Issue.record("expected .tls, got \(error)")
                    return
                }
            }
        }
    }

    @Test("shutdown fails in-flight requests with .shutdown; later requests fail too; it is idempotent")
    func shutdownFailsInFlight() async throws {
        try await TestServer.with { server in
            let client = CurlHTTPClient()
            let inFlight = Task {
                try await client.send(HTTPRequest(method: .get, url: server.url("/sleep/30000")))
            }
            try await server.arrivals.wait(for: "/sleep")
            client.shutdown()
            await #expect(throws: HTTPClientError.shutdown) { try await value(of: inFlight, within: .seconds(10)) }
            await #expect(throws: HTTPClientError.shutdown) {
                try await client.send(HTTPRequest(method: .get, url: server.url("/hello")))
            }
            client.shutdown()
        }
    }

    @Test("Clients dropped without shutdown release their thread and a new client works")
    func deinitWithoutShutdown() async throws {
        try await TestServer.with { server in
            for _ in 0..<3 {
                let client = CurlHTTPClient()
                let response = try await client.send(HTTPRequest(method: .get, url: server.url("/hello")))
                #expect(response.status == 200)
            }
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            #expect(try await client.send(HTTPRequest(method: .get, url: server.url("/hello"))).status == 200)
        }
    }

    @Test("Header fields that would inject lines are rejected before sending")
    func invalidHeaderRejected() async throws {
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        do {
            _ = try await client.send(HTTPRequest(method: .get, url: "http://127.0.0.1:1/",
                                                  headers: [("X-Evil", "a\r\nHost: other")]))
            Issue.record("expected an error")
        } catch let error as HTTPClientError {
            guard case .other = error else {
                Issue.record("expected .other, got \(error)")
                return
            }
        }
    }

    /// A TCP socket bound to an ephemeral loopback port but not listening: connecting to it is
    /// refused, and no other test can take the port while it is open.
    private static func boundButNotListening() throws -> (Int32, Int) {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { close(fd); throw POSIXError(.EIO) }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
