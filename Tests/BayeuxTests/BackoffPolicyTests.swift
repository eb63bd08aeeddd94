import Testing
@testable import Bayeux

@Suite("BackoffPolicy")
struct BackoffPolicyTests {
    @Test("the ceiling grows by the factor and is capped at the maximum")
    func ceilings() {
        let p = BackoffPolicy()
        #expect((0..<8).map { p.ceiling(forAttempt: $0) } == [
            .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(30),
        ])
        #expect(p.ceiling(forAttempt: 10_000) == .seconds(30))
    }

    @Test("full jitter: the delay is the random fraction of the ceiling")
    func jitter() {
        #expect(BackoffPolicy(random: { 0.25 }).delay(forAttempt: 2) == .milliseconds(500))
        #expect(BackoffPolicy(random: { 7 }).delay(forAttempt: 1) == .seconds(1))
        #expect(BackoffPolicy(random: { 0 }).delay(forAttempt: 3) == .zero)
    }
}
