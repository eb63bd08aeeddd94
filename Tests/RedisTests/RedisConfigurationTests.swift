import Foundation
import Testing
@testable import Redis

@Suite("RedisConfiguration URI parsing")
struct RedisConfigurationTests {
    @Test("redis://host defaults to port 6379, database 0, no password")
    func hostOnly() throws {
        let configuration = try RedisConfiguration(uri: "redis://cache.internal")
        #expect(configuration.endpoint == .tcp(host: "cache.internal", port: 6379))
        #expect(configuration.database == 0)
        #expect(configuration.password == nil)
        #expect(configuration.username == nil)
        #expect(configuration.connectTimeout == .seconds(2))
        #expect(configuration.commandTimeout == .seconds(2))
    }

    @Test("redis://:password@host/3 gives a password without a user and database 3")
    func passwordAndDatabase() throws {
        let configuration = try RedisConfiguration(uri: "redis://:s3cret@localhost/3")
        #expect(configuration.endpoint == .tcp(host: "localhost", port: 6379))
        #expect(configuration.password == "s3cret")
        #expect(configuration.username == nil)
        #expect(configuration.database == 3)
    }

    @Test("user, percent-encoded password, port and database are all read")
    func fullForm() throws {
        let configuration = try RedisConfiguration(
            uri: "redis://app:pa%40ss%3Aw0rd@10.0.0.5:6380/12", connectTimeout: .milliseconds(300),
            commandTimeout: .seconds(5))
        #expect(configuration.endpoint == .tcp(host: "10.0.0.5", port: 6380))
        #expect(configuration.username == "app")
        #expect(configuration.password == "pa@ss:w0rd")
        #expect(configuration.database == 12)
        #expect(configuration.connectTimeout == .milliseconds(300))
        #expect(configuration.commandTimeout == .seconds(5))
    }

    @Test("a trailing slash means database 0, and IPv6 literals lose their brackets")
    func trailingSlashAndIPv6() throws {
        #expect(try RedisConfiguration(uri: "redis://h:1234/").database == 0)
        #expect(try RedisConfiguration(uri: "redis://[::1]:6380").endpoint == .tcp(host: "::1", port: 6380))
    }

    @Test("unix:///path?db=2&password=... selects a unix socket")
    func unixSocket() throws {
        let configuration = try RedisConfiguration(uri: "unix:///var/run/redis/redis.sock?db=2&password=pw%26x")
        #expect(configuration.endpoint == .unixSocket(path: "/var/run/redis/redis.sock"))
        #expect(configuration.database == 2)
        #expect(configuration.password == "pw&x")
        let plain = try RedisConfiguration(uri: "unix:///tmp/r.sock")
        #expect(plain.endpoint == .unixSocket(path: "/tmp/r.sock"))
        #expect(plain.database == 0)
        #expect(plain.password == nil)
    }

    @Test("rediss:// is rejected with an explanation and a way out", arguments: ["rediss://host:6380/0", "REDISS://:pw@host"])
    func tlsRejected(uri: String) {
        let error = parseError(uri)
        #expect(error?.kind == .invalidConfiguration)
        #expect(error?.message.contains("TLS") == true)
        #expect(error?.message.contains("tunnel") == true)
    }

    @Test(
        "malformed or unsupported URIs throw invalidConfiguration",
        arguments: [
            "", "localhost:6379", "http://host:6379", "redis://", "redis://:6379", "redis://host/abc",
            "redis://host/1/2", "redis://host/-1", "redis://host:0", "redis://host:70000", "redis://host/1?timeout=3",
            "redis://host/1#x", "redis://user@host", "unix://host/tmp/x.sock", "unix:///tmp/x.sock?db=x",
            "unix:///tmp/x.sock?foo=1", "unix:relative.sock", "unix:///tmp/x.sock?username=u",
        ])
    func invalid(uri: String) {
        #expect(parseError(uri)?.kind == .invalidConfiguration, "accepted \(uri)")
    }

    @Test("non-positive timeouts are rejected")
    func badTimeouts() {
        #expect(throws: RedisError.self) { try RedisConfiguration(uri: "redis://h", connectTimeout: .zero) }
        #expect(throws: RedisError.self) { try RedisConfiguration(uri: "redis://h", commandTimeout: .seconds(-1)) }
    }

    @Test("the password never shows in description, debugDescription, dump or errors")
    func passwordRedaction() throws {
        let secret = "Sup3rSecretPw"
        let tcp = try RedisConfiguration(uri: "redis://app:\(secret)@h:7000/4")
        let unix = try RedisConfiguration(uri: "unix:///tmp/r.sock?password=\(secret)&db=1")
        for configuration in [tcp, unix] {
            var dumped = ""
            dump(configuration, to: &dumped)
            for text in [configuration.description, configuration.debugDescription, "\(configuration)", dumped] {
                #expect(!text.contains(secret), "leaked in \(text)")
                #expect(text.contains("***"))
            }
        }
        #expect(tcp.description == "redis://app:***@h:7000/4")
        #expect(unix.description == "unix:///tmp/r.sock?db=1&password=***")
        #expect(try RedisConfiguration(uri: "redis://h").description == "redis://h:6379/0")

        for bad in ["redis://:\(secret)@h:99999/0", "redis://:\(secret)@h/zz", "redis://:\(secret)@h/0?x=1",
                    "rediss://:\(secret)@h", "redis://:\(secret)@h:1/0 x", "ftp://:\(secret)@h"] {
            let error = parseError(bad)
            #expect(error != nil, "accepted \(bad)")
            #expect(error.map { !"\($0)".contains(secret) } == true, "leaked in \(String(describing: error))")
        }
    }

    private func parseError(_ uri: String) -> RedisError? {
        do {
            _ = try RedisConfiguration(uri: uri)
            return nil
        } catch {
            return error
        }
    }
}
