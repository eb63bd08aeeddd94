import Synchronization

/// The production ``HTTPClient``, built on libcurl.
///
/// ## How it works
/// One client owns one libcurl *multi* handle, driven by one dedicated thread that sleeps in
/// `curl_multi_poll`. ``send(_:)`` hands the request to that thread (waking it with
/// `curl_multi_wakeup`) and suspends; the thread runs all transfers of the client and resumes
/// each caller when its exchange completes. No request blocks a Swift concurrency thread.
///
/// - **Connections** are kept alive and reused across requests; besides the busy ones, up to
///   ``Configuration/maxConnections`` idle ones are kept. `TCP_NODELAY` is on. HTTP/2 is used
///   when a TLS server offers it (libcurl's default), HTTP/1.1 otherwise.
/// - **Cookies** (on by default) live in a jar shared by every request of this client and by no
///   other client, as Salesforce's streaming API requires (`BAYEUX_BROWSER`).
/// - **TLS** always verifies the peer certificate and host name; ``Configuration/caBundlePath``
///   can point at a custom CA bundle (corporate proxies).
/// - **Proxies**: libcurl honours the standard `http_proxy`, `https_proxy` and `no_proxy`
///   environment variables.
/// - **Redirects** are not followed: a `3xx` is returned as a response. Any status is a
///   response; only transport failures throw ``HTTPClientError``.
/// - **Headers** are sent as given (no `Expect: 100-continue`, no default form `Content-Type`);
///   the response carries the header fields of the final response only.
/// - **Timeouts**: `request.timeout` bounds the whole exchange
///   (``HTTPClientError/timedOut``); ``Configuration/connectTimeout`` bounds connecting.
/// - **Cancellation**: cancelling the awaiting task throws ``HTTPClientError/cancelled`` at
///   once and aborts the exchange (its connection is closed, never reused).
/// - **Lifetime**: call ``shutdown()`` when done; it fails pending requests with
///   ``HTTPClientError/shutdown``, stops the thread and frees libcurl's handles. Dropping the
///   last reference does the same.
///
/// ```swift
/// let client = CurlHTTPClient()
/// defer { client.shutdown() }
/// let response = try await client.send(HTTPRequest(method: .get, url: "https://example.com/"))
/// ```
public final class CurlHTTPClient: HTTPClient {
    /// The settings this client was created with.
    public let configuration: Configuration
    private let engine: CurlMultiEngine
    /// Whether ``shutdown()`` has completed; held while it waits for the thread.
    private let isShutDown = Mutex(false)

    /// Creates a client and starts its thread.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.engine = CurlMultiEngine(configuration: configuration)
        engine.startThread()
    }

    deinit {
        shutdown()
    }

    /// Sends one request and returns the response, whatever its status.
    ///
    /// - Throws: ``HTTPClientError``: `.timedOut` after `request.timeout`, `.cancelled` when the
    ///   calling task is cancelled, `.shutdown` after ``shutdown()``, or a transport failure.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Self.validate(request)
        let transfer = CurlTransfer(request: request)
        let engine = self.engine
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: CurlTransfer.Continuation) in
                guard transfer.arm(continuation) else {
                    continuation.resume(throwing: HTTPClientError.cancelled)
                    return
                }
                if !engine.submit(transfer) {
                    transfer.finish()?.resume(throwing: HTTPClientError.shutdown)
                }
            }
        } onCancel: {
            if let continuation = transfer.cancel() {
                continuation.resume(throwing: HTTPClientError.cancelled)
                engine.cancel(transfer)
            }
        }
    }

    /// Fails pending and in-flight requests with ``HTTPClientError/shutdown``, stops the
    /// client's thread and frees its connections. Later requests fail with `.shutdown`.
    ///
    /// Idempotent and thread-safe; returns once everything is released (a few milliseconds).
    public func shutdown() {
        isShutDown.withLock { isShutDown in
            guard !isShutDown else { return }
            isShutDown = true
            let onEngineThread = engine.isEngineThread  // checked before the thread can exit
            engine.stop()
            if !onEngineThread {
                engine.waitUntilFinished()
            }
        }
    }

    /// Rejects requests libcurl could misread: header fields that would inject lines.
    private static func validate(_ request: HTTPRequest) throws(HTTPClientError) {
        for field in request.headers {
            if field.name.isEmpty || field.name.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 58 })
                || field.value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) {
                throw HTTPClientError.other("invalid header field \(field.name.debugDescription)")
            }
        }
    }
}
