import Foundation
import HTTPTransport
import Testing

/// A local HTTPS server (Python's http.server with a certificate made by openssl for 127.0.0.1),
/// to check that peer verification is always on and that a configured CA bundle is trusted.
final class LocalTLSServer: Sendable {
    let port: Int
    let certificatePath: String
    private let process: Process

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        try Self.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                          "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                                          "-keyout", key, "-out", certificate])
        let script = """
        import http.server, ssl, sys
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"secure hello"
                self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                self.wfile.write(body)
            def log_message(self, *a): pass
        server = http.server.HTTPServer(("127.0.0.1", 0), H)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        open(sys.argv[3] + ".tmp", "w").write(str(server.server_address[1]))
        import os; os.rename(sys.argv[3] + ".tmp", sys.argv[3])
        server.serve_forever()
        """
        let portFile = directory.appendingPathComponent("port").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, certificate, key, portFile]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var port: Int?
        for _ in 0..<200 where port == nil {
            port = FileManager.default.contents(atPath: portFile).flatMap { Int(String(decoding: $0, as: UTF8.self)) }
            if port == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        guard let port else {
            kill(process.processIdentifier, SIGKILL)
            throw CocoaError(.fileReadCorruptFile)
        }
        self.port = port
        self.certificatePath = certificate
        self.process = process
    }

    /// Kills the server (SIGKILL: processes started from the test runner inherit its blocked
    /// signal mask, so SIGTERM may never arrive).
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
    }
}

@Suite("TLS verification")
struct TLSVerificationTests {
    @Test("a server whose certificate is not trusted is refused; trusting its CA through caBundlePath lets the request through")
    func verifiesPeers() async throws {
        let server = try LocalTLSServer()
        defer { server.stop() }
        let url = "https://127.0.0.1:\(server.port)/"

        let untrusting = CurlHTTPClient()
        defer { untrusting.shutdown() }
        await #expect {
            _ = try await untrusting.send(HTTPRequest(method: .get, url: url, timeout: .seconds(10)))
        } throws: { error in
            if case .tls = error as? HTTPClientError { return true }
            return false
        }

        let trusting = CurlHTTPClient(configuration: .init(caBundlePath: server.certificatePath))
        defer { trusting.shutdown() }
        let response = try await trusting.send(HTTPRequest(method: .get, url: url, timeout: .seconds(10)))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "secure hello")
    }
}
