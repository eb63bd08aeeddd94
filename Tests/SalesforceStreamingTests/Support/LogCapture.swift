import Logging
import Synchronization

/// Collects the log messages of the loggers it makes, to count warnings in tests.
final class LogCapture: Sendable {
    private let messages = Mutex<[(level: Logger.Level, text: String)]>([])

    /// A logger whose messages (trace and up) this capture records.
    func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = .debug
        return logger
    }

    /// How many messages of `level` contain `text`.
    func count(_ level: Logger.Level, containing text: String) -> Int {
        messages.withLock { $0.filter { $0.level == level && $0.text.contains(text) }.count }
    }

    fileprivate func record(_ level: Logger.Level, _ text: String) {
        messages.withLock { $0.append((level, text)) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        var metadataProvider: Logger.MetadataProvider?

        func log(event: LogEvent) {
            capture.record(event.level, event.message.description)
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
    }
}
