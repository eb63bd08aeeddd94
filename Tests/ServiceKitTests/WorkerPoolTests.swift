@testable import ServiceKit
import TestSupport
import Testing

struct PoolClosed: Error, Equatable {}

@Suite("WorkerPool")
struct WorkerPoolTests {
    /// A job that records its start, waits at `gate`, then records its end.
    func job(_ name: String, _ recorder: Recorder<String>, gate: Gate) -> WorkerPool.Job {
        {
            await recorder.record("start \(name)")
            await gate.wait()
            await recorder.record("end \(name)")
        }
    }

    @Test("at most `capacity` workers run at once; waiting ones start in submission order as slots free")
    func capacityAndOrder() async throws {
        let pool = WorkerPool(capacity: 2, backlog: 10)
        let recorder = Recorder<String>()
        let gates = (0..<5).map { _ in Gate() }
        for index in 0..<5 { try await pool.submit(job("\(index)", recorder, gate: gates[index]), closedError: PoolClosed()) }
        #expect(await recorder.waitUntil { $0.count == 2 })
        try await Task.sleep(for: .milliseconds(50))
        #expect(await recorder.entries == ["start 0", "start 1"])
        #expect(pool.running == 2 && pool.pending == 5)
        await gates[1].release()
        #expect(await recorder.waitUntil { $0.contains("start 2") })
        #expect(await !recorder.entries.contains("start 3"))
        for gate in gates { await gate.release() }
        await pool.waitUntilIdle()
        let starts = await recorder.entries.filter { $0.hasPrefix("start") }
        #expect(starts == (0..<5).map { "start \($0)" })
        #expect(pool.pending == 0)
    }

    @Test("submit suspends while `backlog` workers wait, and resumes once half of them have started")
    func backlogBackpressure() async throws {
        let pool = WorkerPool(capacity: 1, backlog: 4)
        let recorder = Recorder<String>()
        let gates = (0..<8).map { _ in Gate() }
        // One runs, four wait: the backlog is full.
        for index in 0..<5 { try await pool.submit(job("\(index)", recorder, gate: gates[index]), closedError: PoolClosed()) }
        let sixth = Task { try await pool.submit(job("5", recorder, gate: gates[5]), closedError: PoolClosed()) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(pool.pending == 5, "the sixth is not accepted while the backlog is full")
        // One more starts: three wait, more than half of four, so the submitter still waits.
        await gates[0].release()
        #expect(await recorder.waitUntil { $0.contains("start 1") })
        try await Task.sleep(for: .milliseconds(50))
        #expect(pool.pending == 4)
        // Another starts: two wait (half the backlog): the submitter is let in.
        await gates[1].release()
        #expect(try await value(of: sixth, within: .seconds(10)) != nil, "the sixth is accepted")
        #expect(pool.pending == 4)
        for gate in gates { await gate.release() }
        await pool.waitUntilIdle()
        #expect(await recorder.entries.filter { $0.hasPrefix("end") }.count == 6)
    }

    @Test("a burst runs on at most `capacity` tasks, not one task per worker")
    func tasksAreReused() async throws {
        let pool = WorkerPool(capacity: 3, backlog: 1000)
        let tasks = Recorder<Int>()
        for _ in 0..<500 {
            try await pool.submit({ await tasks.record(withUnsafeCurrentTask { $0!.hashValue }) }, closedError: PoolClosed())
        }
        await pool.waitUntilIdle()
        let entries = await tasks.entries
        #expect(entries.count == 500)
        #expect(Set(entries).count <= 3)
    }

    @Test("workers already run are released: the task's first one, and those of a queue refilled before it runs dry")
    func ranWorkersAreReleased() async throws {
        let pool = WorkerPool(capacity: 1, backlog: 10_000)
        let tracked = Recorder<Int>()
        let first = WeakBox(), queued = WeakBox()
        // Each worker queues the one 100 places later, so the queue never runs dry.
        @Sendable func job(_ number: Int, _ payload: Payload) -> WorkerPool.Job {
            {
                if number == 0 { first.object = payload }
                if number == 1 { queued.object = payload }
                await tracked.record(number)
                if number + 100 < 1_000 {
                    try? await pool.submit(job(number + 100, Payload()), closedError: PoolClosed())
                }
            }
        }
        for number in 0..<100 { try await pool.submit(job(number, Payload()), closedError: PoolClosed()) }
        await pool.waitUntilIdle()
        #expect(await tracked.entries.count == 1_000)
        #expect(first.object == nil, "the task still holds the first worker it was started with")
        #expect(queued.object == nil, "the queue still holds a worker it ran")
    }

    @Test("close refuses new and waiting submissions with the given error; accepted workers still run")
    func closeDrains() async throws {
        let pool = WorkerPool(capacity: 1, backlog: 1)
        let recorder = Recorder<String>()
        let gate = Gate()
        try await pool.submit(job("running", recorder, gate: gate), closedError: PoolClosed())
        try await pool.submit(job("waiting", recorder, gate: gate), closedError: PoolClosed())
        let blocked = Task { try await pool.submit(job("blocked", recorder, gate: gate), closedError: PoolClosed()) }
        try await Task.sleep(for: .milliseconds(50))
        pool.close(PoolClosed())
        await #expect(throws: PoolClosed.self) { try await value(of: blocked, within: .seconds(10)) }
        await #expect(throws: PoolClosed.self) { try await pool.submit({}, closedError: PoolClosed()) }
        await gate.release()
        await pool.waitUntilIdle()
        #expect(await recorder.entries == ["start running", "end running", "start waiting", "end waiting"])
    }

    @Test("cancelAll drops waiting workers and cancels running ones")
    func cancelAll() async throws {
        let pool = WorkerPool(capacity: 1, backlog: 5)
        let recorder = Recorder<String>()
        try await pool.submit({
            await recorder.record("start")
            try? await Task.sleep(for: .seconds(60))
            await recorder.record(Task.isCancelled ? "cancelled" : "slept")
        }, closedError: PoolClosed())
        try await pool.submit({ await recorder.record("never") }, closedError: PoolClosed())
        #expect(await recorder.waitUntil { $0 == ["start"] })
        pool.cancelAll(PoolClosed())
        await pool.waitUntilIdle()
        #expect(await recorder.entries == ["start", "cancelled"])
    }

    @Test("a submitter cancelled while waiting throws CancellationError and its worker never runs")
    func cancelledSubmitter() async throws {
        let pool = WorkerPool(capacity: 1, backlog: 1)
        let recorder = Recorder<String>()
        let gate = Gate()
        try await pool.submit(job("a", recorder, gate: gate), closedError: PoolClosed())
        try await pool.submit(job("b", recorder, gate: gate), closedError: PoolClosed())
        let waiting = Task { try await pool.submit(job("c", recorder, gate: gate), closedError: PoolClosed()) }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await value(of: waiting, within: .seconds(10)) }
        await gate.release()
        await pool.waitUntilIdle()
        #expect(await !recorder.entries.contains("start c"))
    }

    // MARK: Batches

    /// Workers made of `jobs`, run by index.
    final class Batch: WorkerBatch {
        let jobs: [WorkerPool.Job]
        var count: Int { jobs.count }
        init(_ jobs: [WorkerPool.Job]) { self.jobs = jobs }
        func runWorker(at index: Int) async { await jobs[index]() }
    }

    @Test("a batch's workers each run once, start in index order, at most `capacity` at once, behind jobs queued before")
    func batchRunsInOrderWithinCapacity() async throws {
        let pool = WorkerPool(capacity: 2, backlog: 4)
        let recorder = Recorder<String>()
        let gates = (0..<7).map { _ in Gate() }
        try await pool.submit(job("single", recorder, gate: gates[0]), closedError: PoolClosed())
        try await pool.submit(batch: Batch((1..<7).map { job("b\($0)", recorder, gate: gates[$0]) }), closedError: PoolClosed())
        #expect(await recorder.waitUntil { $0.count == 2 })
        try await Task.sleep(for: .milliseconds(50))
        #expect(await recorder.entries == ["start single", "start b1"])
        #expect(pool.running == 2 && pool.pending == 7)
        await gates[0].release()
        #expect(await recorder.waitUntil { $0.contains("start b2") })
        #expect(await !recorder.entries.contains("start b3"))
        for gate in gates { await gate.release() }
        await pool.waitUntilIdle()
        let entries = await recorder.entries
        #expect(entries.filter { $0.hasPrefix("start") } == ["start single"] + (1..<7).map { "start b\($0)" })
        #expect(entries.filter { $0.hasPrefix("end") }.count == 7)
        #expect(pool.pending == 0)
    }

    @Test("a batch is accepted whole while fewer than `backlog` wait, even when larger; the next one waits for room")
    func batchBackpressure() async throws {
        let pool = WorkerPool(capacity: 1, backlog: 4)
        let recorder = Recorder<String>()
        let gate = Gate()
        try await pool.submit(batch: Batch((0..<10).map { job("a\($0)", recorder, gate: gate) }), closedError: PoolClosed())
        #expect(pool.pending == 10, "accepted whole although larger than the backlog")
        let second = Task { try await pool.submit(batch: Batch([job("b", recorder, gate: gate)]), closedError: PoolClosed()) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(pool.pending == 10, "not accepted while more than the backlog waits")
        await gate.release()
        #expect(try await value(of: second, within: .seconds(10)) != nil, "the second batch is accepted")
        await pool.waitUntilIdle()
        let starts = await recorder.entries.filter { $0.hasPrefix("start") }
        #expect(starts == (0..<10).map { "start a\($0)" } + ["start b"])
    }

    @Test("close drops the batch workers that did not start, runs the started ones and the jobs accepted alone")
    func closeDropsUnstartedBatchWorkers() async throws {
        let pool = WorkerPool(capacity: 1, backlog: 10)
        let recorder = Recorder<String>()
        let gate = Gate()
        try await pool.submit(batch: Batch((0..<5).map { job("b\($0)", recorder, gate: gate) }), closedError: PoolClosed())
        try await pool.submit(job("single", recorder, gate: gate), closedError: PoolClosed())
        #expect(await recorder.waitUntil { $0 == ["start b0"] })
        pool.close(PoolClosed())
        #expect(pool.pending == 2, "the running batch worker and the job submitted alone")
        await #expect(throws: PoolClosed.self) { try await pool.submit(batch: Batch([{}]), closedError: PoolClosed()) }
        await gate.release()
        await pool.waitUntilIdle()
        #expect(await recorder.entries == ["start b0", "end b0", "start single", "end single"])
    }

    @Test("a burst of batches runs on at most `capacity` tasks")
    func batchesReuseTasks() async throws {
        let pool = WorkerPool(capacity: 3, backlog: 3)
        let tasks = Recorder<Int>()
        for _ in 0..<20 {
            let jobs: [WorkerPool.Job] = (0..<50).map { _ in { await tasks.record(withUnsafeCurrentTask { $0!.hashValue }) } }
            try await pool.submit(batch: Batch(jobs), closedError: PoolClosed())
        }
        await pool.waitUntilIdle()
        let entries = await tasks.entries
        #expect(entries.count == 1_000)
        #expect(Set(entries).count <= 3)
    }
}

/// Something a worker closure holds, to see whether the pool still holds the closure.
final class Payload: Sendable {}

/// A weak reference readable from tests (one writer, then reads after the pool is idle).
final class WeakBox: @unchecked Sendable {
    // Written once by the first worker before any read; read after `waitUntilIdle()` returns,
    // which orders the write before the read.
    weak var object: Payload?
}
