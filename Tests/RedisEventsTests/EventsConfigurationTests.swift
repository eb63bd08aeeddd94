import ServiceKit
import Testing
@testable import RedisEvents

@Suite("EventsConfiguration")
struct EventsConfigurationTests {
    @Test("without EVENTS.REDIS_URI neither a dispatcher nor a handler starts, and the error names the key")
    func missingURI() async throws {
        await #expect(throws: ConfigurationError.missingKey("EVENTS.REDIS_URI")) {
            try await ServiceContainer(Producer.self).start()
        }
        await #expect(throws: ConfigurationError.missingKey("EVENTS.REDIS_URI")) {
            try await ServiceContainer(Consumer.self, configuration: try .parse(yaml: "EVENTS: {MAXLEN: 10}")).start()
        }
    }

    @Test("invalid values are errors naming their key")
    func invalidValues() throws {
        #expect(throws: ConfigurationError.invalidValue(key: "EVENTS.MAXLEN", reason: "must be at least 1, got 0")) {
            try EventsConfiguration(try .parse(yaml: "EVENTS: {REDIS_URI: redis://127.0.0.1, MAXLEN: 0}"))
        }
        #expect(throws: ConfigurationError.wrongType(key: "EVENTS.MAX_ATTEMPTS", expected: "an integer", found: "'many'")) {
            try EventsConfiguration(try .parse(yaml: "EVENTS: {REDIS_URI: redis://127.0.0.1, MAX_ATTEMPTS: many}"))
        }
        let error = #expect(throws: ConfigurationError.self) {
            try EventsConfiguration(try .parse(yaml: "EVENTS: {REDIS_URI: 'http://127.0.0.1'}"))
        }
        guard case .invalidValue(let key, _)? = error else {
            Issue.record("expected invalidValue, got \(String(describing: error))")
            return
        }
        #expect(key == "EVENTS.REDIS_URI")
    }

    @Test("defaults and the blocking read's timing follow RETRY_DELAY")
    func defaults() throws {
        let settings = try EventsConfiguration(try .parse(yaml: "EVENTS: {REDIS_URI: 'redis://127.0.0.1:6380/2'}"))
        #expect(settings.maxAttempts == 5)
        #expect(settings.retryDelay == .seconds(5))
        #expect(settings.abandonedAfter == .seconds(60))
        #expect(settings.batchSize == 10)
        #expect(settings.blockMilliseconds == 1000)
        #expect(settings.blockingRedis.commandTimeout > .milliseconds(1000))
        let quick = try EventsConfiguration(try .parse(yaml: "EVENTS: {REDIS_URI: redis://127.0.0.1, RETRY_DELAY: 0.2}"))
        #expect(quick.retryDelay == .milliseconds(200))
        #expect(quick.blockMilliseconds == 100)
        #expect(throws: ConfigurationError.invalidValue(key: "EVENTS.ABANDONED_AFTER", reason: "must be at least 0.01 seconds, got 0.0")) {
            try EventsConfiguration(try .parse(yaml: "EVENTS: {REDIS_URI: redis://127.0.0.1, ABANDONED_AFTER: 0}"))
        }
    }
}
