import Logging
import Salesforce

/// Makes a PushTopic exist in Salesforce as defined: finds it by `Name`, creates it when missing,
/// updates it when its query, API version or notification options differ, and leaves it alone
/// when they are equal (an update changes what every subscriber of the topic receives at once).
struct PushTopicDeclarer: Sendable {
    enum Outcome: Equatable, Sendable {
        case created(id: String)
        case updated(id: String)
        case unchanged(id: String)
    }

    let api: any SalesforceAPIClient
    let logger: Logger

    static let fields = ["Id", "Name", "Query", "ApiVersion", "NotifyForFields", "NotifyForOperationCreate",
                         "NotifyForOperationUpdate", "NotifyForOperationDelete", "NotifyForOperationUndelete"]

    func declare(_ topic: PushTopicDefinition) async throws -> Outcome {
        try topic.validate()
        do {
            let outcome = try await declareOnce(topic, createIfMissing: true)
            logger.info("PushTopic declared", metadata: ["topic": "\(topic.name)", "outcome": "\(outcome)"])
            return outcome
        } catch let error as SalesforceAPIError where error.errorCode == "DUPLICATE_VALUE" {
            // Another instance created it between our query and our create: update that one.
            return try await wrap(topic) { try await declareOnce(topic, createIfMissing: false) }
        } catch let error as SalesforceAPIError {
            throw PushTopicError.declarationFailed(topic: topic.name, error: "\(error.errorCode): \(error.message)")
        } catch let error as PushTopicError {
            throw error
        } catch {
            throw PushTopicError.declarationFailed(topic: topic.name, error: "\(error)")
        }
    }

    private func declareOnce(_ topic: PushTopicDefinition, createIfMissing: Bool) async throws -> Outcome {
        let soql = "SELECT \(Self.fields.joined(separator: ", ")) FROM PushTopic WHERE Name = \(SOQL.quote(topic.name))"
        if let record = try await api.query(soql).first, case .string(let id)? = record["Id"] {
            if Self.matches(record, topic) { return .unchanged(id: id) }
            var fields = topic.fields
            fields["Name"] = nil
            try await api.update("PushTopic", id: id, fields: fields)
            return .updated(id: id)
        }
        guard createIfMissing else {
            throw PushTopicError.declarationFailed(topic: topic.name, error: "the topic exists but could not be read back")
        }
        return .created(id: try await api.create("PushTopic", fields: topic.fields))
    }

    private func wrap(_ topic: PushTopicDefinition, _ body: () async throws -> Outcome) async throws -> Outcome {
        do {
            return try await body()
        } catch let error as SalesforceAPIError {
            throw PushTopicError.declarationFailed(topic: topic.name, error: "\(error.errorCode): \(error.message)")
        }
    }

    /// Whether the stored record already says what the definition says.
    static func matches(_ record: JSONObject, _ topic: PushTopicDefinition) -> Bool {
        let wanted = topic.fields
        for key in wanted.keys where key != "Name" {
            if key == "ApiVersion" {
                // Stored as a number (64 or 64.0) or, by some clients, as text ("64.0").
                let stored = record[key]?.doubleValue ?? record[key]?.stringValue.flatMap(Double.init)
                guard let stored, let wantedVersion = wanted[key]?.doubleValue, abs(stored - wantedVersion) < 0.0001 else { return false }
            } else if record[key] != wanted[key] {
                return false
            }
        }
        return true
    }
}
