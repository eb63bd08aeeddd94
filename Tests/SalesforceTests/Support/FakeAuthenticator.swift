import Salesforce

/// An authenticator whose logins wait at a gate the test opens, returning `token-<n>` for the
/// n-th login; can be told to fail the next logins.
actor FakeAuthenticator: SalesforceAuthenticator {
    private(set) var logins = 0
    private var gateOpen: Bool
    private var gateWaiters: [CheckedContinuation<Void, Never>] = []
    private var failures: [SalesforceLoginError] = []

    init(gateOpen: Bool = true) {
        self.gateOpen = gateOpen
    }

    func openGate() {
        gateOpen = true
        gateWaiters.forEach { $0.resume() }
        gateWaiters.removeAll()
    }

    func closeGate() { gateOpen = false }

    func failNext(with error: SalesforceLoginError) { failures.append(error) }

    func login() async throws -> SalesforceSession {
        logins += 1
        let number = logins
        if !gateOpen {
            await withCheckedContinuation { gateWaiters.append($0) }
        }
        if !failures.isEmpty { throw failures.removeFirst() }
        return SalesforceSession(accessToken: "token-\(number)", instanceURL: "https://acme.my.salesforce.com",
                                 userID: "005x", organizationID: "00Dx", username: "ops@example.com")
    }
}
