#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An error the Salesforce REST API returned, e.g.
/// `[{"message":"No such column 'Foo'","errorCode":"INVALID_FIELD","fields":["Foo"]}]`.
public struct SalesforceAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Salesforce's code (`INVALID_FIELD`, `MALFORMED_QUERY`, `INVALID_SESSION_ID`,
    /// `NOT_FOUND`, …), or ``invalidResponseCode`` when the reply could not be understood.
    public var errorCode: String
    /// Salesforce's message.
    public var message: String
    /// The fields the error refers to, if any.
    public var fields: [String]
    /// The HTTP status of the reply.
    public var status: Int

    /// The code used when a reply was not in the shape the API documents.
    public static let invalidResponseCode = "INVALID_RESPONSE"

    public init(errorCode: String, message: String, fields: [String] = [], status: Int) {
        self.errorCode = errorCode
        self.message = message
        self.fields = fields
        self.status = status
    }

    /// True when the access token was rejected (`INVALID_SESSION_ID`, HTTP 401).
    public var isInvalidSession: Bool { status == 401 || errorCode == "INVALID_SESSION_ID" }

    public var description: String {
        let fieldList = fields.isEmpty ? "" : " (fields: \(fields.joined(separator: ", ")))"
        return "Salesforce API error \(errorCode) (HTTP \(status)): \(message)\(fieldList)"
    }

    /// Reads an error reply: Salesforce's list of errors (the first is kept), a single error
    /// object, an OAuth-style `{"error":…,"error_description":…}`, or anything else.
    init(response status: Int, body: Data) {
        struct Item: Decodable {
            var errorCode: String?
            var message: String?
            var fields: [String]?
            var error: String?
            var error_description: String?
        }
        let decoder = JSONDecoder()
        let item = (try? decoder.decode([Item].self, from: body))?.first ?? (try? decoder.decode(Item.self, from: body))
        if let item, let code = item.errorCode ?? item.error {
            self.init(errorCode: code, message: item.message ?? item.error_description ?? "",
                      fields: item.fields ?? [], status: status)
        } else {
            let text = String(decoding: body.prefix(300), as: UTF8.self)
            self.init(errorCode: status == 404 ? "NOT_FOUND" : "HTTP_\(status)",
                      message: text.isEmpty ? "HTTP \(status) without a body" : text, status: status)
        }
    }
}
