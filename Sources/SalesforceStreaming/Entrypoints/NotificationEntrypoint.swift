import Salesforce
import ServiceKit

/// Where a notification entrypoint's PushTopic comes from.
enum TopicSource: Sendable, Hashable {
    /// Only subscribe to an existing topic.
    case existing(name: String)
    /// Declare (create or update) a topic with this query at start, then subscribe.
    case query(name: String, query: String, options: PushTopicOptions)
    /// Build the topic for an sObject type at start (record type ID and current user looked up), then
    /// declare it unless `declare` is false.
    case sobject(SObjectTopicSpec)

    var topicName: String {
        switch self {
        case .existing(let name): name
        case .query(let name, _, _): name
        case .sobject(let spec): spec.topicName
        }
    }
}

/// What `@HandleSObjectNotification` asks for.
struct SObjectTopicSpec: Sendable, Hashable {
    let sobjectType: String
    let recordType: String?
    let excludeCurrentUser: Bool
    let declare: Bool
    let options: PushTopicOptions

    var topicName: String { SObjectTopic.topicName(sobjectType: sobjectType, recordType: recordType) }
}

/// The PushTopic notification options shared by `@HandleNotification` and `@HandleSObjectNotification`,
/// with nameko-salesforce's defaults.
public struct PushTopicOptions: Sendable, Hashable {
    public var notifyForFields: NotifyForFields = .all
    public var notifyForOperationCreate = true
    public var notifyForOperationUpdate = true
    public var notifyForOperationDelete = true
    public var notifyForOperationUndelete = true

    public init(notifyForFields: NotifyForFields = .all, notifyForOperationCreate: Bool = true,
                notifyForOperationUpdate: Bool = true, notifyForOperationDelete: Bool = true,
                notifyForOperationUndelete: Bool = true) {
        self.notifyForFields = notifyForFields
        self.notifyForOperationCreate = notifyForOperationCreate
        self.notifyForOperationUpdate = notifyForOperationUpdate
        self.notifyForOperationDelete = notifyForOperationDelete
        self.notifyForOperationUndelete = notifyForOperationUndelete
    }

    func definition(name: String, query: String, apiVersion: String) -> PushTopicDefinition {
        PushTopicDefinition(name: name, query: query, apiVersion: apiVersion, notifyForFields: notifyForFields,
                            notifyForOperationCreate: notifyForOperationCreate, notifyForOperationUpdate: notifyForOperationUpdate,
                            notifyForOperationDelete: notifyForOperationDelete, notifyForOperationUndelete: notifyForOperationUndelete)
    }
}

/// The entrypoint behind `@HandleNotification` and `@HandleSObjectNotification`: declares its
/// PushTopic at start (before the shared connection subscribes), then runs the handler in a worker
/// for each notification on `/topic/<name>`.
actor NotificationEntrypoint<S: Service>: Entrypoint, StreamingHandler {
    /// The user's handler, bound to the container's service once (``ContainerContext/service``).
    typealias Invoke = @Sendable (PushTopicNotification) async throws -> Void

    nonisolated let channel: String
    nonisolated let name: String
    private let source: TopicSource
    private let invoke: Invoke
    nonisolated let context: ContainerContext<S>
    private var client: StreamingClient?

    init(source: TopicSource, attribute: String, invoke: @escaping Invoke, context: ContainerContext<S>) {
        self.source = source
        self.channel = "/topic/\(source.topicName)"
        self.name = "\(attribute)(\(channel))"
        self.invoke = invoke
        self.context = context
    }

    func setup() async throws {
        if case .query(let name, let query, let options) = source {
            try options.definition(name: name, query: query, apiVersion: SalesforceDefaults.defaultAPIVersion).validate()
        }
        if case .sobject(let spec) = source {
            _ = try SObjectTopic.validatedName(spec.sobjectType)
            if let recordType = spec.recordType { _ = try SObjectTopic.validatedName(recordType) }
        }
        let services = context.services
        _ = await SalesforceConnectionExtension.shared(in: services)
        let client = await services.sharedExtension(StreamingClient.Kind.salesforce.sharingKey) {
            StreamingClient(kind: .salesforce, services: services)
        }
        await client.register(self)
        self.client = client
    }

    /// Declares the topic (the shared connection subscribes after every entrypoint has started).
    func start() async throws {
        switch source {
        case .existing: return
        case .sobject(let spec) where !spec.declare: return
        default: break
        }
        let shared = await SalesforceConnectionExtension.shared(in: context.services)
        let settings = try await shared.settings()
        let api = SalesforceRESTClient(connection: try await shared.connection(), apiVersion: settings.apiVersion)
        let topic = try await definition(api: api)
        _ = try await PushTopicDeclarer(api: api, logger: context.services.logger).declare(topic)
    }

    func stop() async {
        await client?.unregister(self)
    }

    nonisolated(nonsending) func handle(_ event: StreamingEvent) async throws {
        try await invoke(PushTopicNotification(event))
    }

    /// The topic to declare: the given query, or the one built for an sObject type (its record
    /// type ID and the current user looked up in the org).
    private func definition(api: SalesforceRESTClient) async throws -> PushTopicDefinition {
        switch source {
        case .existing(let name):
            preconditionFailure("topic \(name) is not declared")
        case .query(let name, let query, let options):
            return options.definition(name: name, query: query, apiVersion: api.apiVersion)
        case .sobject(let spec):
            var recordTypeID: String?
            if let recordType = spec.recordType {
                let records = try await api.query(SObjectTopic.recordTypeQuery(sobjectType: spec.sobjectType, recordType: recordType))
                guard case .string(let id)? = records.first?["Id"] else {
                    throw PushTopicError.recordTypeNotFound(sobject: spec.sobjectType, recordType: recordType)
                }
                recordTypeID = id
            }
            let userID = spec.excludeCurrentUser ? try await api.connection.session().userID : nil
            let query = SObjectTopic.query(sobjectType: spec.sobjectType, recordTypeID: recordTypeID, excludingUserID: userID)
            return spec.options.definition(name: spec.topicName, query: query, apiVersion: api.apiVersion)
        }
    }
}
