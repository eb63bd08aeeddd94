#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs socket I/O with `SIGPIPE` blocked on the calling thread only.
///
/// hiredis 0.14 writes with `write(2)`, which raises `SIGPIPE` (default action: kill the
/// process) when the server has closed the connection. Instead of ignoring the signal
/// process-wide (global state a library must not touch), this follows libpq: block it on
/// this thread, run the I/O (which then fails with `EPIPE`), consume a `SIGPIPE` that the
/// I/O left pending, and restore the thread's mask.
enum SIGPIPEGuard {
    static func run<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        #if os(Linux)
        var pipeOnly = sigset_t()
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        var previousMask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeOnly, &previousMask)
        let wasPending = isSIGPIPEPending()
        defer {
            if !wasPending, isSIGPIPEPending() {
                var zero = timespec(tv_sec: 0, tv_nsec: 0)
                while sigtimedwait(&pipeOnly, nil, &zero) == -1, errno == EINTR {}
            }
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        }
        return try body()
        #else
        return try body()  // Not needed for this project's Linux target; Darwin would use SO_NOSIGPIPE.
        #endif
    }

    #if os(Linux)
    private static func isSIGPIPEPending() -> Bool {
        var pending = sigset_t()
        sigemptyset(&pending)
        sigpending(&pending)
        return sigismember(&pending, SIGPIPE) == 1
    }
    #endif
}
