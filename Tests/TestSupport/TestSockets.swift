import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Raw sockets on 127.0.0.1 for tests: free ports, and servers that accept connections but never
/// answer (for timeout and failure tests).
public enum TestSockets {
    /// A TCP port on 127.0.0.1 that was free a moment ago (nothing listens on it).
    public static func freePort() throws -> Int {
        let socket = try listeningSocket(backlog: 1)
        close(socket.descriptor)
        return socket.port
    }

    /// Starts a non-blocking connect to 127.0.0.1:`port` and returns the socket.
    public static func startConnect(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ScriptRunner.ScriptError(message: "socket() failed") }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var address = loopback(port: port)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return descriptor
    }

    /// A socket bound to 127.0.0.1 on an ephemeral port, listening but never accepting:
    /// connects succeed (the kernel completes them) but nothing is ever answered.
    public static func listeningSocket(backlog: Int32 = 16) throws -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ScriptRunner.ScriptError(message: "socket() failed") }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, backlog) == 0 else {
            close(descriptor)
            throw ScriptRunner.ScriptError(message: "bind/listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
