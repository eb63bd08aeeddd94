/// A record or query operation the simulated org refused, in Salesforce's terms: the REST API
/// answers it as `[{"message":...,"errorCode":...,"fields":[...]}]` with ``status``.
public struct SimulatedRecordError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Salesforce's code: `NOT_FOUND`, `INVALID_FIELD`, `MALFORMED_QUERY`, `INVALID_TYPE`,
    /// `DUPLICATE_VALUE`, `REQUIRED_FIELD_MISSING`, `STRING_TOO_LONG`, `ENTITY_IS_DELETED`, ...
    public var errorCode: String
    public var message: String
    public var fields: [String]
    /// The HTTP status the REST API answers with.
    public var status: Int

    public init(errorCode: String, message: String, fields: [String] = [], status: Int = 400) {
        self.errorCode = errorCode
        self.message = message
        self.fields = fields
        self.status = status
    }

    public var description: String { "\(errorCode): \(message)" }

    static func notFound(_ message: String = "The requested resource does not exist") -> Self {
        Self(errorCode: "NOT_FOUND", message: message, status: 404)
    }

    static func invalidType(_ name: String) -> Self {
        Self(errorCode: "INVALID_TYPE", message: "sObject type '\(name)' is not supported. If you are attempting to use a "
             + "custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the "
             + "describe call for the appropriate names.")
    }

    static func noSuchColumn(_ field: String, on object: String) -> Self {
        Self(errorCode: "INVALID_FIELD", message: "No such column '\(field)' on entity '\(object)'. If you are "
             + "attempting to use a custom field, be sure to append the '__c' after the custom field name. Please "
             + "reference your WSDL or the describe call for the appropriate names.", fields: [field])
    }

    /// The REST API body: a list of one error.
    var json: JSONValue {
        [["message": .string(message), "errorCode": .string(errorCode), "fields": .array(fields.map(JSONValue.string))]]
    }
}
