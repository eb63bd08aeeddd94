import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
import Redis
import TestSupport

/// Failures and recovery: restarts, a server that is down or silent, timeouts, AUTH and SELECT.
/// Tests that stop or restart a server use a private instance on an ephemeral port.
@Suite("RedisConnection failure handling")
struct RedisConnectionRecoveryTests {
    @Test("after Redis restarts, the next command reconnects and succeeds")
    func reconnectAfterRestart() async throws {
        try await RedisTestServer.withPrivateServer { port in
            let redis = RedisConnection(configuration: try RedisConfiguration(uri: "redis://127.0.0.1:\(port)/0"))
            try await redis.command(["SET", "before", "1"])

            try await RedisTestServer.stop(port: port)
            try await RedisTestServer.start(port: port)

            // The server closed our idle socket; the connection notices and reconnects first.
            #expect(try await redis.command(["GET", "before"]) == .null)  // no persistence
            try await redis.command(["SET", "after", "2"])
            #expect(try await redis.command(["GET", "after"]).stringValue == "2")
        }
    }

    @Test("an idle connection killed by the server (CLIENT KILL, server timeout) is replaced transparently")
    func killedWhileIdle() async throws {
        let configuration = try await RedisTestServer.shared()
        let redis = RedisConnection(configuration: configuration)
        let admin = RedisConnection(configuration: configuration)
        let id = try #require(try await redis.command(["CLIENT", "ID"]).integerValue)
        #expect(try await admin.command(["CLIENT", "KILL", "ID", String(id)]) == .integer(1))
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await redis.command(["PING"]) == .simpleString("PONG"))
        #expect(try await redis.command(["CLIENT", "ID"]).integerValue != id)
    }

    @Test("while Redis is down commands throw a connection error, and work again once it is back")
    func downThenUp() async throws {
        try await RedisTestServer.withPrivateServer { port in
            let redis = RedisConnection(configuration: try RedisConfiguration(uri: "redis://127.0.0.1:\(port)"))
            #expect(try await redis.command(["PING"]) == .simpleString("PONG"))
            try await RedisTestServer.stop(port: port)

            for _ in 0..<3 {
                let error = await #expect(throws: RedisError.self) { try await redis.command(["PING"]) }
                #expect(error?.kind == .connection)
                #expect(await redis.isConnected == false)
            }
            let pipelineError = await #expect(throws: RedisError.self) { try await redis.pipeline([["PING"]]) }
            #expect(pipelineError?.kind == .connection)

            try await RedisTestServer.start(port: port)
            #expect(try await redis.command(["PING"]) == .simpleString("PONG"))
        }
    }

    @Test("nothing listening: a clear connection error, thrown quickly, no crash")
    func nothingListening() async throws {
        let port = try TestSockets.freePort()
        let redis = RedisConnection(configuration: try RedisConfiguration(
            uri: "redis://127.0.0.1:\(port)", connectTimeout: .milliseconds(500)))
        let started = ContinuousClock.now
        let error = await #expect(throws: RedisError.self) { try await redis.connect() }
        #expect(error?.kind == .connection)
        #expect(error?.message.contains("127.0.0.1:\(port)") == true)
        #expect(error?.message.contains("refused") == true)
        #expect(ContinuousClock.now - started < .seconds(5))  // bounded by the timeout, not hanging

        let unixError = await #expect(throws: RedisError.self) {
            try await RedisConnection(configuration: try RedisConfiguration(uri: "unix:///tmp/no-such-redis-\(port).sock"))
                .command(["PING"])
        }
        #expect(unixError?.kind == .connection)
    }

    @Test("a server that accepts but never answers makes the command time out")
    func silentServer() async throws {
        let listener = try TestSockets.listeningSocket()
        defer { close(listener.descriptor) }
        let redis = RedisConnection(configuration: try RedisConfiguration(
            uri: "redis://127.0.0.1:\(listener.port)", connectTimeout: .milliseconds(500),
            commandTimeout: .milliseconds(200)))
        let error = await #expect(throws: RedisError.self) { try await redis.command(["PING"]) }
        #expect(error?.kind == .timeout)
        #expect(await redis.isConnected == false)
        let pipelineError = await #expect(throws: RedisError.self) { try await redis.pipeline([["PING"], ["PING"]]) }
        #expect(pipelineError?.kind == .timeout)
    }

    @Test("a server hanging up in the middle of a large write gives a connection error, not a SIGPIPE crash")
    func hangUpDuringWrite() async throws {
        let listener = try TestSockets.listeningSocket()
        defer { close(listener.descriptor) }
        let descriptor = listener.descriptor
        // Accept, half-close (FIN: our side goes to CLOSE_WAIT), let our write fill the buffers,
        // then close with unread data (RST): the blocked write() then fails with EPIPE and the
        // kernel raises SIGPIPE, which would kill the test process without SIGPIPEGuard.
        let server = Thread {
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else { return }
            shutdown(client, Int32(SHUT_WR))
            usleep(300_000)
            close(client)
        }
        server.start()
        let redis = RedisConnection(configuration: try RedisConfiguration(
            uri: "redis://127.0.0.1:\(listener.port)", commandTimeout: .seconds(5)))
        let payload = Data(count: 32 << 20)
        let error = await #expect(throws: RedisError.self) {
            try await redis.command([Data("SET".utf8), Data("k".utf8), payload])
        }
        #expect(error?.kind == .connection)
        #expect(await redis.isConnected == false)
    }

    @Test("connecting to a server whose accept queue is full times out with a timeout error")
    func connectTimeout() async throws {
        let listener = try TestSockets.listeningSocket(backlog: 0)
        var fillers: [Int32] = []
        defer {
            fillers.forEach { close($0) }
            close(listener.descriptor)
        }
        for _ in 0..<4 {  // fill the accept queue: later SYNs are dropped
            fillers.append(try TestSockets.startConnect(port: listener.port))
        }
        try await Task.sleep(for: .milliseconds(50))
        let redis = RedisConnection(configuration: try RedisConfiguration(
            uri: "redis://127.0.0.1:\(listener.port)", connectTimeout: .milliseconds(300)))
        let error = await #expect(throws: RedisError.self) { try await redis.connect() }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("connecting to 127.0.0.1:\(listener.port)") == true)
    }

    @Test("a command blocking longer than commandTimeout times out; the next command gets its own reply")
    func commandTimeout() async throws {
        var configuration = try await RedisTestServer.shared()
        configuration.commandTimeout = .milliseconds(300)
        let redis = RedisConnection(configuration: configuration)
        let prefix = uniquePrefix()
        let started = ContinuousClock.now
        let error = await #expect(throws: RedisError.self) { try await redis.command(["BLPOP", prefix + "list", "10"]) }
        #expect(error?.kind == .timeout)
        #expect(ContinuousClock.now - started < .seconds(8))
        #expect(await redis.isConnected == false)

        // The abandoned BLPOP must not pop what we push now, nor answer our next command.
        let other = RedisConnection(configuration: try await RedisTestServer.shared())
        try await other.command(["RPUSH", prefix + "list", "item"])
        #expect(try await redis.command(["ECHO", "fresh"]) == .string("fresh"))
        #expect(try await redis.command(["LRANGE", prefix + "list", "0", "-1"]) == .array([.string("item")]))
        try await redis.command(["DEL", prefix + "list"])
    }

    @Test("AUTH and SELECT are sent on connect and again after a restart; databases are isolated")
    func authAndSelect() async throws {
        let password = "pw-" + UUID().uuidString
        try await RedisTestServer.withPrivateServer(password: password) { port in
            let noPassword = RedisConnection(configuration: try RedisConfiguration(uri: "redis://127.0.0.1:\(port)"))
            let noAuth = await #expect(throws: RedisError.self) { try await noPassword.command(["PING"]) }
            #expect(noAuth?.kind == .server)
            #expect(noAuth?.message.hasPrefix("NOAUTH") == true)

            let wrong = RedisConnection(configuration: try RedisConfiguration(uri: "redis://:wrong@127.0.0.1:\(port)"))
            let wrongError = await #expect(throws: RedisError.self) { try await wrong.connect() }
            #expect(wrongError?.kind == .authentication)
            #expect(wrongError.map { !"\($0)".contains(password) } == true)

            let db3 = RedisConnection(configuration: try RedisConfiguration(uri: "redis://:\(password)@127.0.0.1:\(port)/3"))
            let db0 = RedisConnection(configuration: try RedisConfiguration(uri: "redis://default:\(password)@127.0.0.1:\(port)/0"))
            try await db3.command(["SET", "k", "in-db3"])
            #expect(try await db3.command(["GET", "k"]).stringValue == "in-db3")
            #expect(try await db0.command(["GET", "k"]) == .null)
            try await db0.command(["SET", "k", "in-db0"])
            #expect(try await db3.command(["GET", "k"]).stringValue == "in-db3")

            try await RedisTestServer.stop(port: port)
            try await RedisTestServer.start(port: port, password: password)
            // Reconnects with AUTH (else NOAUTH) and SELECT 3 (else it would see db0's value).
            try await db0.command(["SET", "k", "db0-again"])
            #expect(try await db3.command(["GET", "k"]) == .null)
            try await db3.command(["SET", "k", "db3-again"])
            #expect(try await db0.command(["GET", "k"]).stringValue == "db0-again")
            #expect(try await db3.command(["GET", "k"]).stringValue == "db3-again")
        }
    }

    @Test("SELECT of a database the server does not have fails with the server's message")
    func selectOutOfRange() async throws {
        var configuration = try await RedisTestServer.shared()
        configuration.database = 10_000
        let error = await #expect(throws: RedisError.self) { try await RedisConnection(configuration: configuration).connect() }
        #expect(error?.kind == .server)
        #expect(error?.message.contains("SELECT 10000") == true)
    }
}
