import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Redis

@Suite("SIGPIPEGuard")
struct SIGPIPEGuardTests {
    @Test("writing to a closed socket inside the guard fails with EPIPE instead of killing the process")
    func writeToClosedPeer() throws {
        // The default SIGPIPE action terminates the process; make sure nothing ignores it for us.
        var action = sigaction()
        sigaction(SIGPIPE, nil, &action)
        #expect(action.__sigaction_handler.sa_handler == nil, "SIGPIPE is not at its default action (SIG_DFL)")

        var descriptors: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &descriptors) == 0)
        close(descriptors[1])
        defer { close(descriptors[0]) }

        let (result, savedErrno) = SIGPIPEGuard.run { () -> (Int, Int32) in
            let byte: [UInt8] = [1]
            let written = write(descriptors[0], byte, 1)
            return (written, errno)
        }
        #expect(result == -1)
        #expect(savedErrno == EPIPE)

        // Nothing left pending, and the thread's mask no longer blocks SIGPIPE.
        var pending = sigset_t()
        sigpending(&pending)
        #expect(sigismember(&pending, SIGPIPE) == 0)
        var mask = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &mask)
        #expect(sigismember(&mask, SIGPIPE) == 0)
    }
}
