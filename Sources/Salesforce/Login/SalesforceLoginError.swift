#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTransport

/// Why a login failed. Messages never contain the password, security token, client secret or
/// access token.
public enum SalesforceLoginError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Salesforce rejected the credentials (wrong username, password, security token, client
    /// ID or secret, locked or expired user, API login not allowed for the user or org).
    /// Retrying with the same configuration cannot succeed: see ``isPermanent``.
    /// The associated text is Salesforce's code and message, e.g.
    /// `INVALID_LOGIN: Invalid username, password, security token; or user locked out.`
    case invalidCredentials(String)
    /// Salesforce answered something that is neither a session nor a known rejection
    /// (a 5xx page, a rate limit, a malformed body). Usually worth retrying after a back-off.
    case unexpectedResponse(status: Int, detail: String)
    /// No answer: the HTTP request failed.
    case transport(HTTPClientError)

    /// True when retrying the same login cannot help (``invalidCredentials(_:)``); the caller
    /// should stop and report instead of retrying.
    public var isPermanent: Bool {
        if case .invalidCredentials = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .invalidCredentials(let reason):
            "Salesforce login rejected the credentials: \(reason)"
        case .unexpectedResponse(let status, let detail):
            "Salesforce login got an unexpected response (HTTP \(status)): \(detail)"
        case .transport(let error):
            "Salesforce login failed: \(error)"
        }
    }
}

extension SalesforceLoginError {
    /// Sends a login request; when no answer comes (any error of the client, or cancellation),
    /// throws ``transport(_:)``.
    static func send(_ request: HTTPRequest, with client: any HTTPClient) async throws(SalesforceLoginError) -> HTTPResponse {
        do {
            return try await client.send(request)
        } catch let error as HTTPClientError {
            throw .transport(error)
        } catch is CancellationError {
            throw .transport(.cancelled)
        } catch {
            throw .transport(.other(String(describing: error)))
        }
    }

    /// The same error with every occurrence of the given secrets replaced, so a server that
    /// echoes a credential cannot leak it through an error message.
    func redacting(_ secrets: [String]) -> SalesforceLoginError {
        switch self {
        case .invalidCredentials(let reason):
            .invalidCredentials(Self.redact(reason, secrets))
        case .unexpectedResponse(let status, let detail):
            .unexpectedResponse(status: status, detail: Self.redact(detail, secrets))
        case .transport:
            self
        }
    }

    private static func redact(_ text: String, _ secrets: [String]) -> String {
        // Longest first, so a secret that contains another is replaced whole.
        // Replaced as UTF-8 bytes: every occurrence goes, even one followed by a combining mark.
        let redacted = secrets.filter { $0.count >= 3 }.sorted { $0.count > $1.count }.reduce(Array(text.utf8)) {
            $0.replacing(Array($1.utf8), with: Array("<redacted>".utf8))
        }
        return String(decoding: redacted, as: UTF8.self)
    }

    /// A short, printable excerpt of a response body for error messages.
    static func excerpt(_ body: Data, limit: Int = 300) -> String {
        let decoded = String(decoding: body.prefix(limit), as: UTF8.self)
        let text = String(String.UnicodeScalarView(decoded.unicodeScalars.map { $0 == "\n" ? " " : $0 }))
        return body.count > limit ? text + "…" : text
    }
}
