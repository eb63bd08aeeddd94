import CHiredis
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one blocking hiredis `redisContext` and converts its replies to ``RESPValue``.
///
/// Not thread-safe and deliberately not `Sendable`: only ``RedisConnection`` holds it, and only
/// touches it on the connection's serial executor. The context is freed in `deinit`, which runs
/// when the connection drops it (after an error, on `close()`, or when the connection itself is
/// deinitialized); at that point no other code can reach the pointer.
final class HiredisContext {
    private let context: UnsafeMutablePointer<redisContext>

    private init(_ context: UnsafeMutablePointer<redisContext>) {
        self.context = context
    }

    deinit {
        redisFree(context)
    }

    /// Connects (blocking, bounded by `timeout`) and returns the context, or throws.
    static func connect(to endpoint: RedisConfiguration.Endpoint, timeout: Duration) throws(RedisError) -> HiredisContext {
        let tv = timeval(timeout)
        let raw: UnsafeMutablePointer<redisContext>?
        let target: String
        switch endpoint {
        case .tcp(let host, let port):
            raw = redisConnectWithTimeout(host, Int32(port), tv)
            target = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unixSocket(let path):
            raw = redisConnectUnixWithTimeout(path, tv)
            target = path
        }
        let savedErrno = errno
        guard let raw else {
            throw .connection("connecting to \(target) failed: hiredis could not allocate a context")
        }
        if raw.pointee.err != 0 {
            let error = Self.error(of: raw, errno: savedErrno, action: "connecting to \(target)")
            redisFree(raw)
            throw error
        }
        return HiredisContext(raw)
    }

    /// Sets the socket send/receive timeout (`SO_SNDTIMEO`/`SO_RCVTIMEO`) for commands.
    func setCommandTimeout(_ timeout: Duration) throws(RedisError) {
        if redisSetTimeout(context, timeval(timeout)) != REDIS_OK {
            throw Self.error(of: context, errno: errno, action: "setting the command timeout")
        }
    }

    /// Whether the socket is readable although no reply is outstanding: the server closed the
    /// connection (it restarted, or `timeout`/`CLIENT KILL` dropped us) or the socket failed.
    var isUnusableWhileIdle: Bool {
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) != 0
    }

    /// Sends one command and waits for its reply (`redisCommandArgv`).
    func command(_ arguments: [Data]) throws(RedisError) -> RESPValue {
        let context = self.context
        let reply = Self.withArgv(arguments) { argc, argv, lengths in
            redisCommandArgv(context, argc, argv, lengths)
        }
        let savedErrno = errno
        guard let reply else {
            throw Self.error(of: context, errno: savedErrno, action: "sending a command")
        }
        defer { freeReplyObject(reply) }
        return try Self.convert(UnsafePointer(reply.assumingMemoryBound(to: redisReply.self)))
    }

    /// Appends one command to the output buffer without sending it (`redisAppendCommandArgv`).
    func append(_ arguments: [Data]) throws(RedisError) {
        let context = self.context
        let status = Self.withArgv(arguments) { argc, argv, lengths in
            redisAppendCommandArgv(context, argc, argv, lengths)
        }
        if status != REDIS_OK {
            throw Self.error(of: context, errno: errno, action: "buffering a pipelined command")
        }
    }

    /// Flushes the output buffer if needed and reads the next reply (`redisGetReply`).
    func nextReply() throws(RedisError) -> RESPValue {
        var reply: UnsafeMutableRawPointer?
        let status = redisGetReply(context, &reply)
        let savedErrno = errno
        guard status == REDIS_OK, let reply else {
            throw Self.error(of: context, errno: savedErrno, action: "reading a reply")
        }
        defer { freeReplyObject(reply) }
        return try Self.convert(UnsafePointer(reply.assumingMemoryBound(to: redisReply.self)))
    }

    // MARK: - Helpers

    /// Lays all arguments out in one byte buffer and passes hiredis `argc`, `argv`, `argvlen`.
    private static func withArgv<R>(
        _ arguments: [Data],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R
    ) -> R {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        var offsets: [Int] = []
        var lengths: [Int] = []
        offsets.reserveCapacity(arguments.count)
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            offsets.append(bytes.count)
            lengths.append(argument.count)
            bytes.append(contentsOf: argument)
        }
        bytes.append(0)  // Never empty, so the base address exists even if every argument is empty.
        return bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!)
            var argv: [UnsafePointer<CChar>?] = offsets.map { (base + $0).assumingMemoryBound(to: CChar.self) }
            return argv.withUnsafeMutableBufferPointer { argvBuffer in
                lengths.withUnsafeBufferPointer { lengthBuffer in
                    body(Int32(arguments.count), argvBuffer.baseAddress!, lengthBuffer.baseAddress!)
                }
            }
        }
    }

    private static func convert(_ pointer: UnsafePointer<redisReply>) throws(RedisError) -> RESPValue {
        let reply = pointer.pointee
        switch reply.type {
        case REDIS_REPLY_STATUS:
            return .simpleString(String(decoding: bytes(reply), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(reply), as: UTF8.self))
        case REDIS_REPLY_STRING:
            return .bulkString(Data(bytes(reply)))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(reply.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_ARRAY:
            var elements: [RESPValue] = []
            elements.reserveCapacity(reply.elements)
            if let element = reply.element {
                for index in 0..<reply.elements {
                    guard let child = element[index] else {
                        throw RedisError(kind: .protocolError, message: "hiredis returned an array with a missing element")
                    }
                    elements.append(try convert(UnsafePointer(child)))
                }
            }
            return .array(elements)
        default:
            throw RedisError(kind: .protocolError, message: "unexpected hiredis reply type \(reply.type)")
        }
    }

    private static func bytes(_ reply: redisReply) -> UnsafeRawBufferPointer {
        guard let string = reply.str, reply.len > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: string, count: reply.len)
    }

    /// Turns hiredis's error state (`err`, `errstr`) plus `errno` into a ``RedisError``.
    private static func error(
        of context: UnsafeMutablePointer<redisContext>, errno savedErrno: Int32, action: String
    ) -> RedisError {
        let text = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        switch context.pointee.err {
        case REDIS_ERR_IO:
            let timedOut = savedErrno == EAGAIN || savedErrno == EWOULDBLOCK || savedErrno == ETIMEDOUT
                || text.contains("timed out") || text.contains("temporarily unavailable")
            if timedOut {
                return .timeout("\(action) timed out (\(text))")
            }
            return .connection("\(action) failed: \(text.isEmpty ? "I/O error" : text)")
        case REDIS_ERR_EOF:
            return .connection("\(action) failed: the server closed the connection")
        case REDIS_ERR_PROTOCOL:
            return RedisError(kind: .protocolError, message: "\(action) failed: \(text)")
        case REDIS_ERR_OOM:
            return .connection("\(action) failed: out of memory")
        default:
            return .connection("\(action) failed: \(text.isEmpty ? "unknown hiredis error" : text)")
        }
    }
}

extension timeval {
    /// A `timeval` for a positive duration, rounded up to at least 1 µs (0 would mean "no timeout").
    fileprivate init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var microseconds = attoseconds / 1_000_000_000_000
        if seconds <= 0, microseconds <= 0 { microseconds = 1 }
        self.init(tv_sec: Int(max(seconds, 0)), tv_usec: Int(microseconds))
    }
}
