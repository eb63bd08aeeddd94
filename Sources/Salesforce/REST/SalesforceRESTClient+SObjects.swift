import JSON
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTransport

extension SalesforceRESTClient {
    /// Creates a record and returns its ID.
    /// - Parameters:
    ///   - sobject: the sObject API name, e.g. `PushTopic`.
    ///   - fields: field API names and values.
    public func create(_ sobject: String, fields: JSONObject) async throws -> String {
        let body = try encode(sobject: sobject, fields: fields)
        let response = try await perform(.post, body: body) { session in
            "\(session.restBaseURL(apiVersion: apiVersion))/sobjects/\(sobject)"
        }
        struct Created: Decodable { var id: String }
        return try decode(Created.self, from: response, what: "create").id
    }

    /// Updates the given fields of a record.
    public func update(_ sobject: String, id: String, fields: JSONObject) async throws {
        let body = try encode(sobject: sobject, fields: fields)
        try SOQL.recordID(id)
        _ = try await perform(.patch, body: body) { session in
            "\(session.restBaseURL(apiVersion: apiVersion))/sobjects/\(sobject)/\(id)"
        }
    }

    /// Deletes a record.
    public func delete(_ sobject: String, id: String) async throws {
        try SOQL.identifier(sobject)
        try SOQL.recordID(id)
        _ = try await perform(.delete) { session in
            "\(session.restBaseURL(apiVersion: apiVersion))/sobjects/\(sobject)/\(id)"
        }
    }

    /// Reads a record: all fields, or only `fields` when given.
    public func get(_ sobject: String, id: String, fields: [String]? = nil) async throws -> JSONObject {
        try SOQL.identifier(sobject)
        try SOQL.recordID(id)
        var suffix = ""
        if let fields {
            for field in fields { try SOQL.identifier(field) }
            suffix = "?fields=" + fields.joined(separator: ",")
        }
        let response = try await perform(.get) { session in
            "\(session.restBaseURL(apiVersion: apiVersion))/sobjects/\(sobject)/\(id)\(suffix)"
        }
        return try decode(JSONObject.self, from: response, what: "get")
    }

    private func encode(sobject: String, fields: JSONObject) throws -> Data {
        try SOQL.identifier(sobject)
        for name in fields.keys { try SOQL.identifier(name) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(fields)
    }
}
