import HTTPTransport
import TestSupport
import Testing
@testable import Salesforce

@Suite("SalesforceConnection")
struct SalesforceConnectionTests {
    /// Waits (without a wall-clock assertion) until `count` callers wait for the running login.
    private func waitForCallers(_ connection: SalesforceConnection, _ count: Int) async throws {
        for _ in 0..<20_000 {
            if await connection.waitingCallers >= count { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("only \(await connection.waitingCallers) of \(count) callers joined")
    }

    private func makeConnection(_ auth: FakeAuthenticator) -> SalesforceConnection {
        SalesforceConnection(authenticator: auth, httpClient: ScriptedHTTPClient(responses: []))
    }

    @Test("many concurrent callers share one login")
    func singleFlightLogin() async throws {
        let auth = FakeAuthenticator(gateOpen: false)
        let connection = makeConnection(auth)
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 { group.addTask { try await connection.session().accessToken } }
            try await waitForCallers(connection, 50)
            await auth.openGate()
            var tokens: [String] = []
            for try await token in group { tokens.append(token) }
            #expect(tokens == Array(repeating: "token-1", count: 50))
        }
        #expect(await auth.logins == 1)
        // Later calls reuse the session.
        #expect(try await connection.session().accessToken == "token-1")
        #expect(await auth.logins == 1)
    }

    @Test("concurrent refreshes of one stale session log in once; a late refresh of it gets the new one")
    func singleFlightRefresh() async throws {
        let auth = FakeAuthenticator()
        let connection = makeConnection(auth)
        let stale = try await connection.session()
        await auth.closeGate()
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await connection.refreshSession(replacing: stale).accessToken } }
            try await waitForCallers(connection, 20)
            await auth.openGate()
            var tokens: Set<String> = []
            for try await token in group { tokens.insert(token) }
            #expect(tokens == ["token-2"])
        }
        #expect(await auth.logins == 2)

        // Someone else already replaced `stale`: no new login.
        #expect(try await connection.refreshSession(replacing: stale).accessToken == "token-2")
        #expect(await auth.logins == 2)
        // Refreshing the current session does log in again.
        let fresh = try await connection.session()
        #expect(try await connection.refreshSession(replacing: fresh).accessToken == "token-3")
        #expect(await auth.logins == 3)
    }

    @Test("a refresh during the first login joins it")
    func refreshJoinsRunningLogin() async throws {
        let auth = FakeAuthenticator(gateOpen: false)
        let connection = makeConnection(auth)
        let unrelated = SalesforceSession(accessToken: "old", instanceURL: "https://x", userID: "u", organizationID: "o")
        async let first = connection.session()
        try await waitForCallers(connection, 1)
        async let second = connection.refreshSession(replacing: unrelated)
        try await waitForCallers(connection, 2)
        await auth.openGate()
        #expect(try await first == second)
        #expect(await auth.logins == 1)
    }

    @Test("a failed login is reported to every waiter and not cached")
    func failureNotCached() async throws {
        let auth = FakeAuthenticator(gateOpen: false)
        await auth.failNext(with: .invalidCredentials("INVALID_LOGIN: nope"))
        let connection = makeConnection(auth)
        async let a = Result.capture { try await connection.session() }
        async let b = Result.capture { try await connection.session() }
        try await waitForCallers(connection, 2)
        await auth.openGate()
        for result in await [a, b] {
            #expect(throws: SalesforceLoginError.invalidCredentials("INVALID_LOGIN: nope")) { try result.get() }
        }
        #expect(try await connection.session().accessToken == "token-2")
        #expect(await auth.logins == 2)
    }

    @Test("a cancelled caller stops waiting; the others still get the shared login")
    func cancellation() async throws {
        let auth = FakeAuthenticator(gateOpen: false)
        let connection = makeConnection(auth)
        let cancelled = Task { try await connection.session() }
        let patient = Task { try await connection.session() }
        try await waitForCallers(connection, 2)
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await value(of: cancelled, within: .seconds(10)) }
        await auth.openGate()
        #expect(try await value(of: patient, within: .seconds(10))?.accessToken == "token-1")
        #expect(await auth.logins == 1)
    }

    @Test("invalidate forces the next session() to log in again")
    func invalidate() async throws {
        let auth = FakeAuthenticator()
        let connection = makeConnection(auth)
        _ = try await connection.session()
        await connection.invalidate()
        #expect(try await connection.session().accessToken == "token-2")
    }
}

extension Result where Failure == any Error {
    static func capture(_ body: () async throws -> Success) async -> Self {
        do { return .success(try await body()) } catch { return .failure(error) }
    }
}

@Suite("SalesforceConnection abandonment")
struct SalesforceConnectionAbandonmentTests {
    @Test("when the only caller is cancelled the login is abandoned and the next caller starts a fresh one")
    func abandonedLogin() async throws {
        let auth = FakeAuthenticator(gateOpen: false)
        let connection = SalesforceConnection(authenticator: auth, httpClient: ScriptedHTTPClient(responses: []))
        let lonely = Task { try await connection.session() }
        while await connection.waitingCallers < 1 { try await Task.sleep(for: .milliseconds(1)) }
        lonely.cancel()
        await #expect(throws: CancellationError.self) { try await value(of: lonely, within: .seconds(10)) }

        let next = Task { try await connection.session() }
        while await auth.logins < 2 { try await Task.sleep(for: .milliseconds(1)) }
        await auth.openGate()
        // The abandoned login (token-1) finishes too, but only the fresh one is used.
        #expect(try await value(of: next, within: .seconds(10))?.accessToken == "token-2")
        #expect(try await connection.session().accessToken == "token-2")
    }
}
