import Foundation
import HTTPTransport
import Synchronization

/// An ``HTTPClient`` that calls a ``SimulatedOrg`` directly, with no network.
///
/// Like a browser, each instance keeps the cookies the org sets (`BAYEUX_BROWSER`) and sends them
/// back; copies of an instance share its cookies. ``SimulatorReply/drop`` becomes
/// ``HTTPClientError/connectionLost(_:)``. `request.timeout` and task cancellation end a held long
/// poll without dequeuing its events (nothing is lost): the call then throws
/// ``HTTPClientError/timedOut`` or ``HTTPClientError/cancelled``.
public struct SimulatorHTTPClient: HTTPClient {
    public let org: SimulatedOrg
    private let jar = CookieJar()

    public init(org: SimulatedOrg) {
        self.org = org
    }

    /// The cookies this client holds, by name.
    public var cookies: [String: String] { jar.all }

    /// Drops every cookie (a fresh browser).
    public func clearCookies() { jar.clear() }

    private enum Outcome: Sendable {
        case reply(SimulatorReply?)
        case timerFired
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if Task.isCancelled { throw HTTPClientError.cancelled }
        var request = request
        if request.header("Cookie") == nil, let header = jar.header { request.headers.append(("Cookie", header)) }
        let org = self.org
        let timeout = request.timeout
        let sent = request
        let reply: SimulatorReply? = await withTaskGroup(of: Outcome.self) { group in
            group.addTask { .reply(await org.handleUnlessCancelled(sent)) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .timerFired
            }
            var result: SimulatorReply?
            if case .reply(let r)? = await group.next() {
                result = r
            } else {
                // Timer fired (or we were cancelled): end the poll, but keep a reply that was already built.
                group.cancelAll()
                if case .reply(let r)? = await group.next() { result = r }
            }
            group.cancelAll()
            return result
        }
        switch reply {
        case .response(let response)?:
            for (name, value) in response.headers where name.caseInsensitiveCompare("Set-Cookie") == .orderedSame {
                jar.store(setCookie: value)
            }
            return response
        case .drop?:
            throw HTTPClientError.connectionLost("simulated connection drop")
        case nil:
            throw Task.isCancelled ? HTTPClientError.cancelled : HTTPClientError.timedOut
        }
    }
}

/// Cookies by name, shared by copies of one ``SimulatorHTTPClient``. Sendable through its `Mutex`.
final class CookieJar: Sendable {
    private let cookies = Mutex<[String: String]>([:])

    var all: [String: String] { cookies.withLock { $0 } }

    var header: String? {
        cookies.withLock { c in c.isEmpty ? nil : c.keys.sorted().map { "\($0)=\(c[$0]!)" }.joined(separator: "; ") }
    }

    func store(setCookie: String) {
        guard let pair = setCookie.split(separator: ";").first else { return }
        let kv = pair.split(separator: "=", maxSplits: 1)
        guard kv.count == 2 else { return }
        let name = kv[0].trimmingCharacters(in: .whitespaces)
        let value = kv[1].trimmingCharacters(in: .whitespaces)
        cookies.withLock { $0[name] = value }
    }

    func clear() { cookies.withLock { $0.removeAll() } }
}
