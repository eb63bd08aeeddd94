import Salesforce

/// Which field changes of a record generate a PushTopic notification (Salesforce's
/// `NotifyForFields`): every field (`all`), fields the query references in SELECT or WHERE
/// (`referenced`, Salesforce's default), only SELECT fields (`select`) or only WHERE fields (`where`).
public enum NotifyForFields: String, Sendable, Hashable, CaseIterable {
    case all = "All"
    case referenced = "Referenced"
    case select = "Select"
    case `where` = "Where"
}

/// A PushTopic record as the service wants it to exist in Salesforce.
public struct PushTopicDefinition: Sendable, Hashable {
    /// The topic's name; events arrive on `/topic/<name>`. At most 25 characters.
    public var name: String
    /// The SOQL query selecting the records and fields to notify about (≤ 1 300 characters).
    public var query: String
    public var apiVersion: String
    public var notifyForFields: NotifyForFields
    public var notifyForOperationCreate: Bool
    public var notifyForOperationUpdate: Bool
    public var notifyForOperationDelete: Bool
    public var notifyForOperationUndelete: Bool

    /// Salesforce's limits on PushTopic names and queries.
    public static let maxNameLength = 25
    public static let maxQueryLength = 1300

    public init(name: String, query: String, apiVersion: String = SalesforceDefaults.defaultAPIVersion,
                notifyForFields: NotifyForFields = .all,
                notifyForOperationCreate: Bool = true, notifyForOperationUpdate: Bool = true,
                notifyForOperationDelete: Bool = true, notifyForOperationUndelete: Bool = true) {
        self.name = name
        self.query = query
        self.apiVersion = apiVersion
        self.notifyForFields = notifyForFields
        self.notifyForOperationCreate = notifyForOperationCreate
        self.notifyForOperationUpdate = notifyForOperationUpdate
        self.notifyForOperationDelete = notifyForOperationDelete
        self.notifyForOperationUndelete = notifyForOperationUndelete
    }

    /// The channel its notifications arrive on.
    public var channel: String { "/topic/\(name)" }

    /// Checks what Salesforce would refuse, so a bad topic fails at start-up with a clear error.
    public func validate() throws(PushTopicError) {
        guard !name.isEmpty, name.count <= Self.maxNameLength,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw .invalidName(name, reason: "a PushTopic name is 1 to \(Self.maxNameLength) letters, digits or underscores")
        }
        guard query.count <= Self.maxQueryLength else {
            throw .invalidQuery(topic: name, reason: "the query has \(query.count) characters; Salesforce allows \(Self.maxQueryLength)")
        }
        // Blank means tabs and Unicode space separators only (line breaks count as content).
        guard !query.unicodeScalars.allSatisfy({ $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }) else {
            throw .invalidQuery(topic: name, reason: "the query is empty")
        }
    }

    /// The record fields as the Salesforce REST API writes them.
    var fields: JSONObject {
        [
            "Name": .string(name),
            "Query": .string(query),
            "ApiVersion": .double(Double(apiVersion) ?? 0),
            "NotifyForFields": .string(notifyForFields.rawValue),
            "NotifyForOperationCreate": .bool(notifyForOperationCreate),
            "NotifyForOperationUpdate": .bool(notifyForOperationUpdate),
            "NotifyForOperationDelete": .bool(notifyForOperationDelete),
            "NotifyForOperationUndelete": .bool(notifyForOperationUndelete),
        ]
    }
}

/// Why a PushTopic could not be declared; always names the topic.
public enum PushTopicError: Error, Equatable, CustomStringConvertible {
    case invalidName(String, reason: String)
    case invalidQuery(topic: String, reason: String)
    case invalidSObject(String, reason: String)
    case recordTypeNotFound(sobject: String, recordType: String)
    /// Salesforce refused to create or update the topic.
    case declarationFailed(topic: String, error: String)

    public var description: String {
        switch self {
        case .invalidName(let name, let reason): "invalid PushTopic name '\(name)': \(reason)"
        case .invalidQuery(let topic, let reason): "invalid query for PushTopic \(topic): \(reason)"
        case .invalidSObject(let name, let reason): "invalid sObject type '\(name)': \(reason)"
        case .recordTypeNotFound(let sobject, let recordType): "no record type '\(recordType)' of \(sobject) in the org"
        case .declarationFailed(let topic, let error): "could not declare PushTopic \(topic): \(error)"
        }
    }
}
