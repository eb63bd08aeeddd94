import CCurl
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// One request on its way through the engine.
///
/// `@unchecked Sendable` is safe because the state is split in two, each half with one owner:
/// - `phase` (who may resume the continuation) is only accessed under its own `Mutex`, from
///   any thread;
/// - every `var` (the easy handle, the response being built, the request header list) is
///   touched only by the engine thread, after the transfer was handed over through the
///   engine's locked inbox (a happens-before edge) and until the engine drops it. libcurl's
///   callbacks that write the response run on that same thread, inside `curl_multi_perform`.
final class CurlTransfer: @unchecked Sendable {
    typealias Continuation = UnsafeContinuation<HTTPResponse, any Error>

    private enum Phase {
        /// Not yet awaited.
        case created
        /// Awaited; whoever moves it out of this phase resumes the continuation exactly once.
        case waiting(Continuation)
        /// The awaiting task was cancelled (the continuation, if any, was resumed with `.cancelled`).
        case cancelled
        /// Resumed with a response or an error.
        case finished
    }

    let request: HTTPRequest
    private let phase = Mutex<Phase>(.created)

    // Engine thread only.
    var easy: CurlEasyHandle?
    /// Position in the engine's list of active transfers, or -1.
    var activeIndex = -1
    var requestHeaders: UnsafeMutablePointer<curl_slist>?
    var responseHeaders = ResponseHeaderParser()
    var responseBody: [UInt8] = []

    init(request: HTTPRequest) {
        self.request = request
    }

    /// Stores the awaiting continuation; `false` if the task was already cancelled.
    func arm(_ continuation: Continuation) -> Bool {
        phase.withLock { phase in
            guard case .created = phase else { return false }
            phase = .waiting(continuation)
            return true
        }
    }

    /// Marks the transfer cancelled; returns the continuation to resume, if it was waiting.
    func cancel() -> Continuation? {
        phase.withLock { phase in
            switch phase {
            case .created:
                phase = .cancelled
                return nil
            case .waiting(let continuation):
                phase = .cancelled
                return continuation
            case .cancelled, .finished:
                return nil
            }
        }
    }

    /// Marks the transfer finished; returns the continuation to resume, unless it was cancelled.
    func finish() -> Continuation? {
        phase.withLock { phase in
            guard case .waiting(let continuation) = phase else { return nil }
            phase = .finished
            return continuation
        }
    }

    var isCancelled: Bool {
        phase.withLock { phase in
            if case .cancelled = phase { return true }
            return false
        }
    }

    /// Appends a chunk of the response body (libcurl's write callback).
    func appendBody(_ bytes: UnsafeRawBufferPointer) {
        if responseBody.isEmpty, let length = responseHeaders.contentLength, length > 0 {
            responseBody.reserveCapacity(min(length, 64 << 20))
        }
        responseBody.append(contentsOf: bytes)
    }
}
