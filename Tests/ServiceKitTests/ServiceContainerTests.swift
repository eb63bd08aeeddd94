import Logging
import ServiceKit
import TestSupport
import Testing

/// A provider that hands each worker a value naming the worker, and records its lifecycle.
final class GreetingProvider: DependencyProvider {
    typealias Value = String
    let recorder: Recorder<String>
    init(recorder: Recorder<String>) { self.recorder = recorder }
    func setup() async throws { await recorder.record("provider.setup") }
    func start() async throws { await recorder.record("provider.start") }
    func stop() async { await recorder.record("provider.stop") }
    func value(for worker: WorkerContext) async throws -> String { "hello \(worker.data["value"] ?? "?")" }
    func workerResult(_ worker: WorkerContext, result: Result<Void, any Error>) async {
        await recorder.record("provider.result \(worker.data["value"]!) \((try? result.get()) != nil ? "ok" : "failed")")
    }
}

struct Boom: Error {}

/// The one recorder the test services write to, per test (a task-local keeps tests apart).
enum Current {
    @TaskLocal static var recorder = Recorder<String>()
    @TaskLocal static var gate = Gate()
}

struct GreeterService: Service {
    static let name = "greeter"
    @Trigger("greet") var onGreet = Self.greet
    @Dependency(GreetingProvider(recorder: Current.recorder)) var greeting

    func greet(_ value: Int) async throws {
        let worker = WorkerContext.current!
        await Current.recorder.record("\(greeting) ctx=\(worker.data["value"]!) service=\(worker.serviceName)")
        if value < 0 { throw Boom() }
        if value >= 100 { await Current.gate.wait() }
    }
}

@Suite("ServiceContainer")
struct ServiceContainerTests {
    let recorder = Recorder<String>()
    let gate = Gate()

    func withCurrent<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        try await Current.$recorder.withValue(recorder) {
            try await Current.$gate.withValue(gate) { try await body() }
        }
    }

    @Test("a fired entrypoint runs the handler with its dependency injected and the context data bound")
    func injectsDependencies() async throws {
        try await withCurrent {
            let container = try ServiceContainer(GreeterService.self)
            try await container.start()
            try await container.trigger("greet").fire(7)
            #expect(await recorder.waitUntil { $0.contains("hello 7 ctx=7 service=greeter") })
            #expect(await recorder.waitUntil { $0.contains("provider.result 7 ok") })
            await container.stop()
            #expect(await recorder.entries.prefix(2) == ["provider.setup", "provider.start"])
            #expect(await recorder.entries.last == "provider.stop")
        }
    }

    @Test("a handler that throws is reported to its completion and the container keeps running")
    func handlerErrorDoesNotStopContainer() async throws {
        try await withCurrent {
            let container = try ServiceContainer(GreeterService.self)
            try await container.start()
            let outcome = Recorder<String>()
            try await container.trigger("greet").fire(-1) { result in
                await outcome.record((try? result.get()) == nil ? "failed" : "ok")
            }
            #expect(await outcome.waitUntil { $0 == ["failed"] })
            #expect(await container.state == .running)
            try await container.trigger("greet").fire(2)
            #expect(await recorder.waitUntil { $0.contains("hello 2 ctx=2 service=greeter") })
            await container.stop()
        }
    }

    @Test("max_workers bounds concurrent workers; spawnWorker queues max_workers more, then waits (backpressure)")
    func maxWorkersBoundsConcurrency() async throws {
        try await withCurrent {
            let config = try ServiceConfiguration.parse(yaml: "max_workers: 2")
            let container = try ServiceContainer(GreeterService.self, configuration: config)
            try await container.start()
            let trigger = await container.trigger("greet")
            for value in 100...103 { try await trigger.fire(value) }
            #expect(await recorder.waitUntil { $0.filter { $0.hasPrefix("hello") }.count == 2 })
            #expect(container.runningWorkers == 2)
            let fifth = Task { try await trigger.fire(104) }
            try await Task.sleep(for: .milliseconds(100))
            #expect(container.runningWorkers == 2)
            let started = await recorder.entries.filter { $0.hasPrefix("hello") }
            #expect(started.count == 2, "only max_workers handlers run: \(started)")
            await gate.release()
            #expect(try await value(of: fifth, within: .seconds(10)) != nil, "the fifth is let in once a worker ends")
            #expect(await recorder.waitUntil { $0.contains { $0.contains("ctx=104") } })
            await container.stop()
        }
    }

    @Test("stop() lets running workers finish before dependencies stop, then refuses new workers")
    func gracefulStopDrainsWorkers() async throws {
        try await withCurrent {
            let container = try ServiceContainer(GreeterService.self)
            try await container.start()
            let trigger = await container.trigger("greet")
            try await trigger.fire(100)
            let stopping = Task { await container.stop() }
            try await Task.sleep(for: .milliseconds(100))
            #expect(await container.state == .stopping)
            #expect(await !recorder.entries.contains("provider.stop"))
            #expect(await trigger.stopped)
            await gate.release()
            #expect(await finished(stopping, within: .seconds(10)), "stop() ends once the worker finished")
            let entries = await recorder.entries
            let result = try #require(entries.firstIndex(of: "provider.result 100 ok"))
            let stop = try #require(entries.firstIndex(of: "provider.stop"))
            #expect(result < stop)
            await #expect(throws: ContainerError.notRunning) { try await trigger.fire(1) }
            try await container.wait()
        }
    }

    @Test("kill() cancels running workers and wait() throws the kill reason")
    func killCancelsWorkers() async throws {
        try await withCurrent {
            let container = try ServiceContainer(GreeterService.self)
            try await container.start()
            try await container.trigger("greet").fire(100)
            await container.kill(Boom())
            #expect(await container.state == .stopped)
            await #expect(throws: Boom.self) { try await container.wait() }
        }
    }

    @Test("a replaced dependency gives workers the replacement value")
    func replaceDependency() async throws {
        try await withCurrent {
            let container = try ServiceContainer(GreeterService.self)
            await container.replaceDependency(\.$greeting, with: "replaced")
            try await container.start()
            try await container.trigger("greet").fire(3)
            #expect(await recorder.waitUntil { $0.contains("replaced ctx=3 service=greeter") })
            await container.stop()
        }
    }

    @Test("max_workers must be a positive integer")
    func invalidMaxWorkers() throws {
        #expect(throws: ConfigurationError.invalidValue(key: "max_workers", reason: "must be at least 1, got 0")) {
            try ServiceContainer(GreeterService.self, configuration: try .parse(yaml: "max_workers: 0"))
        }
        #expect(throws: ConfigurationError.wrongType(key: "max_workers", expected: "an integer", found: "'ten'")) {
            try ServiceContainer(GreeterService.self, configuration: try .parse(yaml: "max_workers: ten"))
        }
    }
}
