import HTTPTransport
import Logging

/// One Salesforce login shared by every client of a service (streaming and REST).
///
/// Logs in lazily on the first ``session()`` call and keeps the session. Logins are
/// single-flight: any number of concurrent callers share one login request, and a session that
/// several callers found stale is replaced once (``refreshSession(replacing:)``).
///
/// A failed login is not cached: the next call tries again, so back-off between attempts is the
/// caller's decision (check ``SalesforceLoginError/isPermanent`` first). A caller whose task is
/// cancelled stops waiting at once; the login itself is cancelled only when no caller is left.
public actor SalesforceConnection {
    /// The HTTP client used for API requests made with this connection's sessions.
    public nonisolated let httpClient: any HTTPClient
    private let authenticator: any SalesforceAuthenticator
    private let logger: Logger

    private var current: SalesforceSession?
    private var login: Task<Void, Never>?
    /// Identifies the running login; results of an abandoned login are ignored.
    private var loginGeneration: UInt64 = 0
    private var waiters: [UInt64: CheckedContinuation<SalesforceSession, any Error>] = [:]
    private var nextWaiterID: UInt64 = 0

    /// - Parameters:
    ///   - authenticator: how to log in (``SOAPLogin``, ``OAuthPasswordLogin``, …).
    ///   - httpClient: the client API requests go through (normally the one the authenticator uses).
    public init(authenticator: any SalesforceAuthenticator, httpClient: any HTTPClient,
                logger: Logger = Logger(label: "salesforce.connection")) {
        self.authenticator = authenticator
        self.httpClient = httpClient
        self.logger = logger
    }

    /// The current session, logging in first if there is none (or the last login failed).
    /// - Throws: ``SalesforceLoginError``, or `CancellationError` if the calling task is cancelled.
    public func session() async throws -> SalesforceSession {
        if let current { return current }
        return try await awaitLogin()
    }

    /// Replaces a session that Salesforce rejected (e.g. `INVALID_SESSION_ID`, `401::Authentication
    /// invalid`) and returns the new one.
    ///
    /// If the current session already differs from `stale` (another caller refreshed it first),
    /// returns the current session without logging in again. Concurrent refreshes of the same
    /// stale session share one login.
    public func refreshSession(replacing stale: SalesforceSession) async throws -> SalesforceSession {
        if let current {
            if current != stale { return current }
            logger.info("Salesforce session rejected; logging in again",
                        metadata: ["instance": "\(current.instanceURL)"])
            self.current = nil
        }
        return try await awaitLogin()
    }

    /// Forgets the current session, so the next ``session()`` logs in again.
    public func invalidate() {
        current = nil
    }

    /// Number of callers waiting for the running login (tests use it to know when all
    /// concurrent callers have joined).
    var waitingCallers: Int { waiters.count }

    private func awaitLogin() async throws -> SalesforceSession {
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                waiters[id] = continuation
                startLoginIfNeeded()
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func startLoginIfNeeded() {
        guard login == nil else { return }
        loginGeneration += 1
        let generation = loginGeneration
        let authenticator = authenticator
        logger.debug("Logging in to Salesforce", metadata: ["authenticator": "\(type(of: authenticator))"])
        login = Task {
            let result: Result<SalesforceSession, any Error>
            do {
                result = .success(try await authenticator.login())
            } catch {
                result = .failure(error)
            }
            self.finishLogin(generation: generation, result: result)
        }
    }

    private func finishLogin(generation: UInt64, result: Result<SalesforceSession, any Error>) {
        guard generation == loginGeneration, login != nil else { return }  // abandoned
        login = nil
        switch result {
        case .success(let session):
            current = session
            logger.info("Logged in to Salesforce", metadata: [
                "instance": "\(session.instanceURL)", "organization": "\(session.organizationID)",
                "user": "\(session.username ?? session.userID)",
            ])
        case .failure(let error):
            logger.warning("Salesforce login failed", metadata: ["error": "\(error)"])
        }
        let resumed = waiters
        waiters.removeAll()
        for continuation in resumed.values {
            continuation.resume(with: result)
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let continuation = waiters.removeValue(forKey: id) else { return }
        continuation.resume(throwing: CancellationError())
        if waiters.isEmpty, let login {
            // Nobody wants this login any more: abort it; a later caller starts a fresh one.
            login.cancel()
            self.login = nil
        }
    }
}
