import JSON
/// The Salesforce REST operations services use inside handlers; ``SalesforceRESTClient`` is the
/// real one, tests substitute their own.
public protocol SalesforceAPIClient: Sendable {
    /// Runs a SOQL query and returns every record, following pagination.
    func query(_ soql: String) async throws -> [JSONObject]
    /// Creates a record and returns its ID.
    func create(_ sobject: String, fields: JSONObject) async throws -> String
    func update(_ sobject: String, id: String, fields: JSONObject) async throws
    func delete(_ sobject: String, id: String) async throws
    /// Reads a record (all fields, or the given ones).
    func get(_ sobject: String, id: String, fields: [String]?) async throws -> JSONObject
}

extension SalesforceRESTClient: SalesforceAPIClient {}
