/// A record type the simulated org has from the start (a `RecordType` record), e.g. Contact `Student`.
public struct SimulatedRecordType: Sendable, Hashable {
    /// The object it belongs to, e.g. `Contact`.
    public var sobjectType: String
    public var developerName: String
    /// The label; defaults to the developer name.
    public var name: String
    /// The 18-character ID (`012...`); `nil` lets the org assign one.
    public var id: String?

    public init(sobjectType: String, developerName: String, name: String? = nil, id: String? = nil) {
        self.sobjectType = sobjectType
        self.developerName = developerName
        self.name = name ?? developerName
        self.id = id
    }

    /// The record types a default configuration seeds.
    public static let defaults: [SimulatedRecordType] = [
        SimulatedRecordType(sobjectType: "Contact", developerName: "Student"),
        SimulatedRecordType(sobjectType: "Contact", developerName: "Teacher"),
        SimulatedRecordType(sobjectType: "Account", developerName: "School"),
        SimulatedRecordType(sobjectType: "Lead", developerName: "Applicant"),
        SimulatedRecordType(sobjectType: "Opportunity", developerName: "Enrollment"),
    ]
}
