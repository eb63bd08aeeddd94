import Foundation
import HTTPTransport

/// A fake `HTTPClient` that records every request and answers from a script.
actor ScriptedHTTPClient: HTTPClient {
    typealias Handler = @Sendable (HTTPRequest, _ index: Int) async throws -> HTTPResponse

    private let handler: Handler
    private(set) var requests: [HTTPRequest] = []

    init(handler: @escaping Handler) {
        self.handler = handler
    }

    /// Answers the n-th request with the n-th response (the last one repeats).
    init(responses: [HTTPResponse]) {
        self.handler = { _, index in responses[min(index, responses.count - 1)] }
    }

    /// Fails every request with a transport error.
    init(failing error: HTTPClientError) {
        self.handler = { _, _ in throw error }
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let index = requests.count
        requests.append(request)
        return try await handler(request, index)
    }
}

extension HTTPResponse {
    static func xml(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [(name: "Content-Type", value: "text/xml;charset=UTF-8")],
                     body: Data(body.utf8))
    }

    static func json(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [(name: "Content-Type", value: "application/json;charset=UTF-8")],
                     body: Data(body.utf8))
    }
}

extension HTTPRequest {
    var bodyText: String { body.map { String(decoding: $0, as: UTF8.self) } ?? "" }
}
