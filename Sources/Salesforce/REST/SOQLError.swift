/// A value rejected before it could reach a SOQL query or a REST URL.
public enum SOQLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a valid sObject or field API name.
    case invalidIdentifier(String)
    /// Not a 15- or 18-character Salesforce record ID.
    case invalidRecordID(String)

    public var description: String {
        switch self {
        case .invalidIdentifier(let name): "not a valid Salesforce API name: \(name.debugDescription)"
        case .invalidRecordID(let id): "not a valid Salesforce record ID: \(id.debugDescription)"
        }
    }
}
