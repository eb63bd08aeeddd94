import Logging
import Synchronization

/// Collects the log messages of the loggers it makes (with their metadata), to count warnings and
/// to search everything logged.
public final class LogCapture: Sendable {
    public init() {}

    private let messages = Mutex<[(level: Logger.Level, text: String)]>([])

    /// A logger whose messages (trace and up) this capture records.
    public func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    /// How many messages of `level` contain `text`.
    public func count(_ level: Logger.Level, containing text: String) -> Int {
        messages.withLock { $0.filter { $0.level == level && $0.text.contains(text) }.count }
    }

    /// Every line logged: level, message, metadata and error.
    public var lines: [String] {
        messages.withLock { $0.map { "\($0.level) \($0.text)" } }
    }

    fileprivate func record(_ level: Logger.Level, _ text: String) {
        messages.withLock { $0.append((level, text)) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        var metadataProvider: Logger.MetadataProvider?

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.record(event.level, "\(event.message) \(all) \(event.error.map { "\($0)" } ?? "")")
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
    }
}
