import Foundation
import Testing
import Redis
import TestSupport

/// Behaviour against the shared redis-server started by `scripts/start-redis`.
@Suite("RedisConnection against a real Redis")
struct RedisConnectionTests {
    @Test("connects lazily; SET with EX sets a TTL and GET reads the value")
    func setGetWithTTL() async throws {
        let redis = RedisConnection(configuration: try await RedisTestServer.shared())
        let key = uniquePrefix() + "greeting"
        #expect(await redis.isConnected == false)

        #expect(try await redis.command(["SET", key, "hello", "EX", "100"]) == .simpleString("OK"))
        #expect(await redis.isConnected)
        #expect(try await redis.command(["GET", key]).stringValue == "hello")
        let ttl = try #require(try await redis.command(["TTL", key]).integerValue)
        #expect((1...100).contains(ttl))

        #expect(try await redis.command(["SET", key + ":short", "x", "PX", "50"]) == .simpleString("OK"))
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await redis.command(["GET", key + ":short"]) == .null)
        #expect(try await redis.command(["DEL", key]) == .integer(1))
        await redis.close()
    }

    @Test("keys and values are binary-safe: NUL, CR LF and invalid UTF-8 round-trip exactly")
    func binarySafe() async throws {
        let redis = RedisConnection(configuration: try await RedisTestServer.shared())
        let key = Data(uniquePrefix().utf8) + Data([0x00, 0x0D, 0x0A, 0xFF])
        let value = Data((0...255).map(UInt8.init)) + Data("\r\n$-1\r\n".utf8)
        try await redis.command([Data("SET".utf8), key, value, Data("EX".utf8), Data("60".utf8)])
        let reply = try await redis.command([Data("GET".utf8), key])
        #expect(reply == .bulkString(value))
        #expect(reply.stringValue == nil)

        try await redis.command([Data("SET".utf8), key, Data()])
        #expect(try await redis.command([Data("GET".utf8), key]) == .bulkString(Data()))
        try await redis.command([Data("DEL".utf8), key])
    }

    @Test("large values and long pipelines go through intact")
    func largePayloads() async throws {
        let redis = RedisConnection(configuration: try await RedisTestServer.shared())
        let prefix = uniquePrefix()
        let big = Data((0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try await redis.command([Data("SET".utf8), Data((prefix + "big").utf8), big, Data("EX".utf8), Data("60".utf8)])
        #expect(try await redis.command(["GET", prefix + "big"]) == .bulkString(big))
        #expect(try await redis.command(["STRLEN", prefix + "big"]) == .integer(Int64(big.count)))

        let increments = try await redis.pipeline(Array(repeating: ["INCR", prefix + "n"], count: 10_000))
        #expect(increments == (1...10_000).map { RESPValue.integer(Int64($0)) })
        try await redis.command(["DEL", prefix + "big", prefix + "n"])
    }

    @Test("pipeline returns every reply in order, including arrays, nulls and in-place error replies")
    func pipeline() async throws {
        let redis = RedisConnection(configuration: try await RedisTestServer.shared())
        let prefix = uniquePrefix()
        var commands: [[String]] = (0..<100).map { ["SET", prefix + "k\($0)", "v\($0)", "EX", "60"] }
        commands += (0..<100).map { ["GET", prefix + "k\($0)"] }
        commands.append(["GET", prefix + "missing"])
        commands.append(["INCR", prefix + "k0"])  // error reply: not an integer
        commands.append(["RPUSH", prefix + "list", "a", "b"])
        commands.append(["LRANGE", prefix + "list", "0", "-1"])
        let replies = try await redis.pipeline(commands)

        #expect(replies.count == commands.count)
        #expect(replies[0..<100].allSatisfy { $0 == .simpleString("OK") })
        for index in 0..<100 {
            #expect(replies[100 + index].stringValue == "v\(index)")
        }
        #expect(replies[200] == .null)
        guard case .error(let message) = replies[201] else {
            Issue.record("expected an error reply, got \(replies[201])")
            return
        }
        #expect(message.contains("not an integer"))
        #expect(replies[202] == .integer(2))
        #expect(replies[203] == .array([.string("a"), .string("b")]))
        #expect(try await redis.pipeline([[String]]()) == [])
        try await redis.command(["DEL", prefix + "list"] + (0..<100).map { prefix + "k\($0)" })
    }

    @Test("MULTI/EXEC through a pipeline returns the transaction's replies as a nested array")
    func transaction() async throws {
        let redis = RedisConnection(configuration: try await RedisTestServer.shared())
        let key = uniquePrefix() + "counter"
        let replies = try await redis.pipeline([
            ["MULTI"], ["SET", key, "10", "EX", "60"], ["INCRBY", key, "5"], ["GET", key], ["EXEC"],
        ])
        #expect(replies[0] == .simpleString("OK"))
        #expect(replies[1...3].allSatisfy { $0 == .simpleString("QUEUED") })
        #expect(replies[4] == .array([.simpleString("OK"), .integer(15), .string("15")]))
    }

    @Test("a server error reply is thrown with its message and the connection stays usable")
    func serverErrorReply() async throws {
        let redis = RedisConnection(configuration: try await RedisTestServer.shared())
        let key = uniquePrefix() + "text"
        try await redis.command(["SET", key, "abc", "EX", "60"])

        let notInteger = await #expect(throws: RedisError.self) { try await redis.command(["INCR", key]) }
        #expect(notInteger?.kind == .server)
        #expect(notInteger?.message.hasPrefix("ERR") == true)
        #expect(notInteger?.message.contains("not an integer") == true)

        let wrongType = await #expect(throws: RedisError.self) { try await redis.command(["LPUSH", key, "x"]) }
        #expect(wrongType?.message.hasPrefix("WRONGTYPE") == true)

        let unknown = await #expect(throws: RedisError.self) { try await redis.command(["NO-SUCH-COMMAND"]) }
        #expect(unknown?.kind == .server)
        #expect(unknown?.message.contains("unknown command") == true)

        #expect(await redis.isConnected)
        #expect(try await redis.command(["PING"]) == .simpleString("PONG"))
        #expect(try await redis.command(["GET", key]).stringValue == "abc")
    }

    @Test("empty commands are rejected before anything is sent")
    func emptyCommand() async throws {
        let redis = RedisConnection(configuration: try await RedisTestServer.shared())
        let empty = await #expect(throws: RedisError.self) { try await redis.command([String]()) }
        #expect(empty?.kind == .invalidCommand)
        let emptyInPipeline = await #expect(throws: RedisError.self) { try await redis.pipeline([["PING"], []]) }
        #expect(emptyInPipeline?.kind == .invalidCommand)
        #expect(await redis.isConnected == false)
    }

    @Test("concurrent callers on one connection each get their own replies")
    func concurrentCallers() async throws {
        let redis = RedisConnection(configuration: try await RedisTestServer.shared())
        let prefix = uniquePrefix()
        let counter = prefix + "counter"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<64 {
                group.addTask {
                    for round in 0..<5 {
                        let key = prefix + "t\(task)"
                        let value = "task \(task) round \(round)"
                        try await redis.command(["SET", key, value, "EX", "60"])
                        #expect(try await redis.command(["GET", key]).stringValue == value)
                        try await redis.command(["INCR", counter])
                        let replies = try await redis.pipeline([["ECHO", value], ["GET", key]])
                        #expect(replies == [.string(value), .string(value)])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await redis.command(["GET", counter]).integerValue == 320)
        try await redis.command(["DEL", counter] + (0..<64).map { prefix + "t\($0)" })
    }

    @Test("blocking commands run off the cooperative pool: more BLPOPs than cores do not starve other tasks")
    func blockingCallsDoNotOccupyTheCooperativePool() async throws {
        var longTimeout = try await RedisTestServer.shared()
        longTimeout.commandTimeout = .seconds(5)  // longer than the BLPOP timeout
        let configuration = longTimeout
        let prefix = uniquePrefix()
        let waiters = max(4, ProcessInfo.processInfo.activeProcessorCount * 2)
        let pusher = RedisConnection(configuration: configuration)
        try await pusher.connect()
        try await withThrowingTaskGroup(of: RESPValue.self) { group in
            for index in 0..<waiters {
                group.addTask {
                    // If this blocked a cooperative thread, the pusher below could not run
                    // before every BLPOP gave up, and they would all return null.
                    let waiter = RedisConnection(configuration: configuration)
                    return try await waiter.command(["BLPOP", prefix + "q\(index)", "3"])
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            for index in 0..<waiters {
                try await pusher.command(["RPUSH", prefix + "q\(index)", "item\(index)"])
            }
            var popped = 0
            for try await reply in group {
                #expect(reply.arrayValue?.last?.stringValue?.hasPrefix("item") == true, "BLPOP returned \(reply)")
                popped += 1
            }
            #expect(popped == waiters)
        }
    }

    @Test("a unix socket URI connects and its db= selects another database")
    func unixSocket() async throws {
        let tcp = RedisConnection(configuration: try await RedisTestServer.shared())
        let unix = RedisConnection(configuration: try RedisConfiguration(uri: "unix://\(RedisTestServer.sharedSocketPath)?db=2"))
        let key = uniquePrefix() + "where"
        try await unix.command(["SET", key, "db2", "EX", "60"])
        #expect(try await unix.command(["GET", key]).stringValue == "db2")
        #expect(try await tcp.command(["GET", key]) == .null)
        try await unix.command(["DEL", key])
    }

    @Test("close() frees the connection on the server, and later calls throw instead of reconnecting")
    func closeFreesConnection() async throws {
        let observer = RedisConnection(configuration: try await RedisTestServer.shared())
        let name = "closetest" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let redis = RedisConnection(configuration: try await RedisTestServer.shared())
        try await redis.command(["CLIENT", "SETNAME", name])
        #expect(try await clientNames(observer).contains(name))

        await redis.close()
        #expect(await redis.isConnected == false)
        let afterClose = await #expect(throws: RedisError.self) { try await redis.command(["PING"]) }
        #expect(afterClose?.kind == .connection)
        #expect(try await eventually(timeout: .seconds(3), interval: .milliseconds(50)) { try await !clientNames(observer).contains(name) })
    }

    @Test("dropping the last reference to a connection closes its socket (deinit frees the context)")
    func deinitFreesConnection() async throws {
        let observer = RedisConnection(configuration: try await RedisTestServer.shared())
        let name = "deinittest" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        var redis: RedisConnection? = RedisConnection(configuration: try await RedisTestServer.shared())
        try await redis?.command(["CLIENT", "SETNAME", name])
        #expect(try await clientNames(observer).contains(name))
        redis = nil
        #expect(try await eventually(timeout: .seconds(3), interval: .milliseconds(50)) { try await !clientNames(observer).contains(name) })
    }
}

/// The names of the clients connected to the server (`CLIENT LIST`).
func clientNames(_ redis: RedisConnection) async throws -> Set<String> {
    let list = try await redis.command(["CLIENT", "LIST"]).stringValue ?? ""
    var names = Set<String>()
    for line in list.split(separator: "\n") {
        for field in line.split(separator: " ") where field.hasPrefix("name=") {
            names.insert(String(field.dropFirst(5)))
        }
    }
    return names
}
