import CCurl
import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The libcurl multi handle and the loop that drives it on one dedicated thread.
///
/// After `init` (which creates the multi and share handles before the thread starts), every
/// libcurl call on the multi, share and easy handles happens on the engine thread (inside
/// ``run()``), except `curl_multi_wakeup`, which libcurl documents as callable from any thread.
/// Because of that, the share handle needs no lock callbacks.
///
/// Other threads talk to the engine only through `inbox`: they append transfers to start or
/// abort and wake the loop if it is sleeping in `curl_multi_poll`.
///
/// `@unchecked Sendable` is safe because: `inbox` is a `Mutex`; `multi`, `share` and
/// `configuration` are immutable after `init`; `threadStarted` is written once by
/// ``startThread()``, before the engine is shared; `active` and `idleHandles` are touched only by
/// the engine thread; a `curl_multi_wakeup` from another thread is announced in `wakers` under
/// the inbox lock while `stopped` is false and made after the lock is released, and the engine
/// thread, once it has seen `stopped` under the same lock, waits for `wakers` to drop to zero
/// before `curl_multi_cleanup`, so no wakeup can race the cleanup (``stop()`` wakes it under the
/// lock that sets `stopped`, before the engine can see it).
final class CurlMultiEngine: @unchecked Sendable {
    private struct Inbox {
        var submissions: [CurlTransfer] = []
        var cancellations: [CurlTransfer] = []
        /// The engine thread is in (or about to enter) `curl_multi_poll` and needs a wakeup.
        var sleeping = false
        var stopped = false
        /// The engine thread, recorded by the thread itself when it starts.
        var engineThread: pthread_t?
    }

    /// `curl_global_init`, run once per process, thread-safely, before the first handle.
    private static let globalInit: CURLcode = ccurl_global_init_all()

    /// How long the loop may sleep with nothing to do; libcurl shortens it to its own timers.
    private static let idlePollMilliseconds: Int32 = 1000

    let configuration: CurlHTTPClient.Configuration
    private let inbox = Mutex(Inbox())
    /// Threads between deciding to wake the engine (under the inbox lock) and returning from
    /// `curl_multi_wakeup` (after it): the wakeup is a syscall that wakes the engine thread, which
    /// then wants the lock at once, so making it under the lock had the engine spin for it.
    private let wakers = Atomic<Int>(0)
    private let multi: UnsafeMutableRawPointer
    private let share: UnsafeMutableRawPointer?
    private let finished = DispatchSemaphore(value: 0)
    private var threadStarted = false

    // Engine thread only.
    private var active: [CurlTransfer] = []
    private var idleHandles: [CurlEasyHandle] = []
    private let maxIdleHandles: Int
    /// The current `CURLMOPT_MAXCONNECTS`.
    private var connectionCacheSize: Int
    /// Peak number of active transfers in the current and the previous load window.
    private var loadPeak = 0
    private var previousLoadPeak = 0
    private var loadWindowStart = ContinuousClock.now
    private static let loadWindow: Duration = .seconds(10)

    init(configuration: CurlHTTPClient.Configuration) {
        precondition(Self.globalInit == CURLE_OK,
                     "curl_global_init failed: \(String(cString: curl_easy_strerror(Self.globalInit)))")
        guard let multi = curl_multi_init() else { preconditionFailure("curl_multi_init failed") }
        self.configuration = configuration
        self.multi = multi
        self.maxIdleHandles = max(4, configuration.maxConnections * 2)
        self.connectionCacheSize = max(1, configuration.maxConnections)
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, connectionCacheSize)

        // One share handle per client: TLS sessions always, cookies when enabled. Used only on
        // the engine thread, so no lock callbacks are needed.
        let share = curl_share_init()
        if let share {
            _ = ccurl_share_setopt_lock_data(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION)
            if configuration.cookies {
                _ = ccurl_share_setopt_lock_data(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE)
            }
        } else {
            precondition(!configuration.cookies, "curl_share_init failed")
        }
        self.share = share
        active.reserveCapacity(16)
    }

    /// Starts the engine thread. Call once, right after `init`, before sharing the engine.
    ///
    /// A plain detached POSIX thread (Foundation's `Thread` would pull in all of Foundation); it
    /// holds a strong reference to the engine until ``run()`` returns.
    func startThread() {
        precondition(!threadStarted, "engine thread already started")
        threadStarted = true
        let context = Unmanaged.passRetained(self).toOpaque()
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let result = pthread_create(&thread, nil, { context in
            CurlMultiEngine.threadMain(context)
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<CurlMultiEngine>.fromOpaque(context).release()
            preconditionFailure("cannot start the CurlHTTPClient thread: pthread_create returned \(result)")
        }
        #if canImport(Darwin)
        if let thread { pthread_detach(thread) }
        #else
        pthread_detach(thread)
        #endif
    }

    /// The engine thread's entry point; `context` is the engine, retained by ``startThread()``.
    private static func threadMain(_ context: UnsafeMutableRawPointer?) {
        guard let context else { return }
        let engine = Unmanaged<CurlMultiEngine>.fromOpaque(context).takeRetainedValue()
        ccurl_set_current_thread_name("CurlHTTPClient")
        engine.inbox.withLock { $0.engineThread = pthread_self() }
        engine.run()
    }

    // MARK: - Any thread

    /// Whether the caller runs on the engine thread (which must not wait for itself).
    ///
    /// Only meaningful before ``stop()``: the thread's identity could be reused by another
    /// thread after the engine thread has exited (which only happens after a stop). Before the
    /// engine thread has started, no caller is the engine thread.
    var isEngineThread: Bool {
        let current = pthread_self()
        return inbox.withLock { inbox in
            guard let engineThread = inbox.engineThread else { return false }
            return pthread_equal(engineThread, current) != 0
        }
    }

    /// Hands a transfer to the engine; `false` once the engine is stopped.
    func submit(_ transfer: CurlTransfer) -> Bool {
        let (accepted, wake) = inbox.withLock { inbox in
            guard !inbox.stopped else { return (false, false) }
            inbox.submissions.append(transfer)
            return (true, claimWakeup(&inbox))
        }
        if wake { wakeEngine() }
        return accepted
    }

    /// Asks the engine to abort a transfer whose awaiting task was cancelled.
    func cancel(_ transfer: CurlTransfer) {
        let wake = inbox.withLock { inbox in
            guard !inbox.stopped else { return false }
            inbox.cancellations.append(transfer)
            return claimWakeup(&inbox)
        }
        if wake { wakeEngine() }
    }

    /// Tells the loop to fail everything with ``HTTPClientError/shutdown`` and free all handles.
    func stop() {
        inbox.withLock { inbox in
            guard !inbox.stopped else { return }
            inbox.stopped = true
            _ = curl_multi_wakeup(multi)
        }
    }

    /// Blocks until ``run()`` has returned (after ``stop()``).
    func waitUntilFinished() {
        finished.wait()
        finished.signal()  // let later waiters through too
    }

    /// Under the lock, with `stopped` false: whether the engine sleeps (or is about to) and needs
    /// a wakeup, which the caller then makes with ``wakeEngine()`` after releasing the lock.
    private func claimWakeup(_ inbox: inout Inbox) -> Bool {
        guard inbox.sleeping else { return false }
        inbox.sleeping = false
        wakers.add(1, ordering: .relaxed)  // ordered before the engine's teardown by the lock
        return true
    }

    /// The wakeup a ``claimWakeup(_:)`` that returned true announced.
    private func wakeEngine() {
        _ = curl_multi_wakeup(multi)
        wakers.subtract(1, ordering: .releasing)
    }

    // MARK: - Engine thread

    /// The loop; runs on the dedicated thread until ``stop()``.
    func run() {
        var submissions: [CurlTransfer] = []
        var cancellations: [CurlTransfer] = []
        submissions.reserveCapacity(16)
        cancellations.reserveCapacity(4)
        var running: Int32 = 0

        while true {
            let stopped = inbox.withLock { inbox in
                swap(&inbox.submissions, &submissions)
                swap(&inbox.cancellations, &cancellations)
                return inbox.stopped
            }
            if stopped {
                tearDown(pending: submissions)
                break
            }
            for transfer in submissions { start(transfer) }
            submissions.removeAll(keepingCapacity: true)
            for transfer in cancellations { abort(transfer) }
            cancellations.removeAll(keepingCapacity: true)

            resizeConnectionCache()
            _ = curl_multi_perform(multi, &running)
            collectCompletions()

            let idle = inbox.withLock { inbox in
                guard inbox.submissions.isEmpty, inbox.cancellations.isEmpty, !inbox.stopped else {
                    return false
                }
                inbox.sleeping = true
                return true
            }
            if idle {
                _ = curl_multi_poll(multi, nil, 0, Self.idlePollMilliseconds, nil)
                inbox.withLock { $0.sleeping = false }
            }
        }
        finished.signal()
    }

    /// Keeps `maxConnections` idle connections *beyond* the recent peak of concurrent transfers.
    ///
    /// libcurl's `CURLMOPT_MAXCONNECTS` caps the whole connection cache, busy connections
    /// included: with a fixed cap below the number of concurrent requests, nearly every request
    /// would close a connection and open a new one (measured: 1584 connections for 1600 requests
    /// from 16 concurrent tasks with a cap of 8). Following the *instant* number of transfers is
    /// not enough either: callers' next requests are briefly in transit between two transfers,
    /// so the cap follows the peak of the current and the previous `loadWindow`.
    private func resizeConnectionCache() {
        loadPeak = max(loadPeak, active.count)
        let now = ContinuousClock.now
        if now - loadWindowStart >= Self.loadWindow {
            previousLoadPeak = loadPeak
            loadPeak = active.count
            loadWindowStart = now
        }
        let wanted = max(1, configuration.maxConnections) + max(loadPeak, previousLoadPeak)
        guard wanted != connectionCacheSize else { return }
        connectionCacheSize = wanted
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, wanted)
    }

    private func start(_ transfer: CurlTransfer) {
        // Cancelled between submission and now: its task has already been resumed.
        guard !transfer.isCancelled else { return }
        guard let easy = idleHandles.popLast() ?? CurlEasyHandle() else {
            transfer.finish()?.resume(throwing: HTTPClientError.other("curl_easy_init failed"))
            return
        }
        do {
            try easy.prepare(for: transfer, configuration: configuration, share: share)
        } catch {
            curl_slist_free_all(transfer.requestHeaders)
            transfer.requestHeaders = nil
            recycle(easy)
            transfer.finish()?.resume(throwing: error)
            return
        }
        let code = curl_multi_add_handle(multi, easy.handle)
        guard code == CURLM_OK else {
            curl_slist_free_all(transfer.requestHeaders)
            transfer.requestHeaders = nil
            easy.destroy()
            let message = String(cString: curl_multi_strerror(code))
            transfer.finish()?.resume(throwing: HTTPClientError.other(message))
            return
        }
        transfer.easy = easy
        transfer.activeIndex = active.count
        active.append(transfer)
    }

    /// Aborts a cancelled transfer: its easy handle is mid-exchange, so it is destroyed, not reused.
    private func abort(_ transfer: CurlTransfer) {
        guard let easy = detach(transfer) else { return }  // already finished
        easy.destroy()
    }

    private func collectCompletions() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = ccurl_msg_result(message)
            var context: UnsafeMutableRawPointer?
            _ = ccurl_easy_getinfo_pointer(handle, CURLINFO_PRIVATE, &context)
            guard let context else { continue }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            guard let easy = detach(transfer) else { continue }

            let result: Result<HTTPResponse, HTTPClientError>
            if code == CURLE_OK {
                result = .success(HTTPResponse(status: easy.responseCode,
                                               headers: transfer.responseHeaders.headers,
                                               bytes: transfer.responseBody))
                recycle(easy)
            } else {
                result = .failure(HTTPClientError(curlCode: code, detail: easy.errorDetail))
                easy.destroy()
            }
            transfer.responseBody = []
            transfer.finish()?.resume(with: result.mapError { $0 as any Error })
        }
    }

    /// Removes an active transfer from the multi handle and the active list, frees its header
    /// list and returns its easy handle (`nil` if it was not active).
    private func detach(_ transfer: CurlTransfer) -> CurlEasyHandle? {
        guard let easy = transfer.easy else { return nil }
        _ = curl_multi_remove_handle(multi, easy.handle)
        transfer.easy = nil
        curl_slist_free_all(transfer.requestHeaders)
        transfer.requestHeaders = nil

        let index = transfer.activeIndex
        let last = active.removeLast()
        if last !== transfer {
            active[index] = last
            last.activeIndex = index
        }
        transfer.activeIndex = -1
        return easy
    }

    private func recycle(_ easy: CurlEasyHandle) {
        if idleHandles.count < maxIdleHandles {
            idleHandles.append(easy)
        } else {
            easy.destroy()
        }
    }

    private func tearDown(pending: [CurlTransfer]) {
        for transfer in pending {
            transfer.finish()?.resume(throwing: HTTPClientError.shutdown)
        }
        while let transfer = active.last {
            detach(transfer)?.destroy()
            transfer.finish()?.resume(throwing: HTTPClientError.shutdown)
        }
        for easy in idleHandles { easy.destroy() }
        idleHandles.removeAll()
        // Wakeups announced before `stopped` was seen are at most a syscall from done.
        while wakers.load(ordering: .acquiring) > 0 { sched_yield() }
        _ = curl_multi_cleanup(multi)
        if let share { _ = curl_share_cleanup(share) }
    }
}
