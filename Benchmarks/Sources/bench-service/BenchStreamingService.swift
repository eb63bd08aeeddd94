import SalesforceStreaming
import ServiceKit

/// The service peers/run measures: records each event's replay ID and, when the publisher put a
/// wall-clock timestamp (nanoseconds) in the record's `Name`, its publish-to-handler latency.
struct BenchStreamingService: Service {
    static let name = "bench-service"
    /// One recorder per process, made from the command line on first use.
    static let recorder = Recorder(afterReplayID: Options.parsed.afterReplayID)
    @Subscribe("/topic/BenchEvents") var onEvent = Self.handle

    func handle(topic: String, event: StreamingEvent) async throws {
        Self.recorder.record(replayID: event.replayID?.value.intValue,
                             publishedAt: event.value(at: "sobject", "Name")?.stringValue.flatMap { Int64($0) })
    }
}
