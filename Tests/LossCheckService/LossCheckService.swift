import Foundation
import SalesforceStreaming
import ServiceKit

/// The service the no-loss test runs: four PushTopic channels, one handler that records every
/// event it handles in the ledger, fails some first attempts and is sometimes slow.
///
/// Events are numbered by the test: `sobject.Name` is the decimal number `n` of the event on its
/// channel. What fails and what is slow depends only on `n` and the attempt, so a run can be
/// repeated.
struct LossCheckService: Service {
    static let name = "loss-check"

    /// The channels the test publishes on.
    static let channels = (1...4).map { "/topic/LossCheck\($0)" }

    @Subscribe("/topic/LossCheck1")
    @Subscribe("/topic/LossCheck2")
    @Subscribe("/topic/LossCheck3")
    @Subscribe("/topic/LossCheck4")
    var onEvent = Self.handleEvent

    @Dependency(HandledLedger()) var ledger

    func handleEvent(topic: String, event: StreamingEvent) async throws {
        guard let name = event.sobject?["Name"]?.stringValue, let number = Int(name) else {
            throw UnnumberedEvent(channel: topic, data: "\(event.data)")
        }
        let attempt = await ledger.nextAttempt(channel: topic, number: number)
        let rules = ledger.rules
        if number % rules.failEvery == 0, attempt == 1 {
            throw InjectedFailure(channel: topic, number: number, attempt: attempt)
        }
        if number % rules.failTwiceEvery == 0, attempt <= 2 {
            throw InjectedFailure(channel: topic, number: number, attempt: attempt)
        }
        if number % rules.slowEvery == 0 {
            try await Task.sleep(for: .milliseconds(1 + number % 4))
        }
        try await ledger.recordHandled(channel: topic, number: number)
    }
}

/// A failure the service makes on purpose (see ``LossCheckRules``).
struct InjectedFailure: Error, CustomStringConvertible {
    let channel: String
    let number: Int
    let attempt: Int
    var description: String { "injected failure of event \(number) on \(channel), attempt \(attempt)" }
}

/// An event without a number in `sobject.Name`: not one the test published.
struct UnnumberedEvent: Error, CustomStringConvertible {
    let channel: String
    let data: String
    var description: String { "event on \(channel) has no number in sobject.Name: \(data)" }
}
