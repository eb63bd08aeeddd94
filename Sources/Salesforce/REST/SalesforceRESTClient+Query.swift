import JSON
import HTTPTransport

extension SalesforceRESTClient {
    /// Runs a SOQL query and returns every record, following `nextRecordsUrl` page by page.
    ///
    /// Build `soql` only from constants, ``SOQL/quote(_:)`` and ``SOQL/identifier(_:)``.
    /// Each record keeps Salesforce's `attributes` member.
    public func query(_ soql: String) async throws -> [JSONObject] {
        let cursor = QueryCursor(client: self, soql: soql)
        var records: [JSONObject] = []
        while let page = try await cursor.nextPage() {
            records += page
        }
        return records
    }

    /// Runs a SOQL query and yields its records one by one; the next page is fetched only when
    /// the consumer has used the previous one, and stopping the iteration fetches no more.
    public func queryRecords(_ soql: String) -> AsyncThrowingStream<JSONObject, any Error> {
        let cursor = QueryCursor(client: self, soql: soql)
        return AsyncThrowingStream { try await cursor.nextRecord() }
    }
}

/// Walks the pages of one query.
actor QueryCursor {
    private enum Next {
        case first(soql: String)
        case page(path: String)
    }

    private struct Page: Decodable {
        var done: Bool
        var nextRecordsUrl: String?
        var records: [JSONObject]
    }

    private let client: SalesforceRESTClient
    private var next: Next?
    private var visited: Set<String> = []
    private var buffer: [JSONObject] = []
    private var position = 0

    init(client: SalesforceRESTClient, soql: String) {
        self.client = client
        self.next = .first(soql: soql)
    }

    /// The next page of records, or nil after the last one.
    func nextPage() async throws -> [JSONObject]? {
        guard let pending = next else { return nil }
        next = nil  // an error ends the query
        let apiVersion = client.apiVersion
        let response = try await client.perform(.get) { session in
            switch pending {
            case .first(let soql):
                "\(session.restBaseURL(apiVersion: apiVersion))/query?q=\(FormEncoding.percentEncode(soql))"
            case .page(let path):
                "\(session.instanceURL)\(path)"
            }
        }
        let page = try client.decode(Page.self, from: response, what: "query")
        if !page.done, let path = page.nextRecordsUrl {
            // Only ever follow a path on the same instance (the token goes with it), and never loop.
            guard path.hasPrefix("/services/data/"), !path.contains(".."), !path.contains("://"),
                  visited.insert(path).inserted else {
                throw SalesforceAPIError(errorCode: SalesforceAPIError.invalidResponseCode,
                                         message: "unusable nextRecordsUrl \(path.debugDescription)",
                                         status: response.status)
            }
            next = .page(path: path)
        }
        return page.records
    }

    /// The next record, fetching pages as needed, or nil after the last one.
    func nextRecord() async throws -> JSONObject? {
        while position >= buffer.count {
            guard let page = try await nextPage() else { return nil }
            buffer = page
            position = 0
        }
        defer { position += 1 }
        return buffer[position]
    }
}
