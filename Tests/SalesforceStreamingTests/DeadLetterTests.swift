import Foundation
import Testing
@testable import SalesforceStreaming

@Suite("DeadLetter")
struct DeadLetterTests {
    @Test("failedAt is written as an ISO 8601 UTC timestamp, exactly as ISO8601DateFormatter wrote it")
    func failedAtFormat() {
        for seconds in [0, 1_459_269_608.208, 1_700_000_000.999, -86_400.5] {
            let date = Date(timeIntervalSince1970: seconds)
            let letter = DeadLetter(channel: "/topic/X", replayID: nil, data: .null, error: "boom", attempts: 3,
                                    failedAt: date)
            #expect(letter.json["failedAt"] == .string(ISO8601DateFormatter().string(from: date)), "\(seconds)")
        }
        let letter = DeadLetter(channel: "/topic/X", replayID: nil, data: .null, error: "boom", attempts: 3,
                                failedAt: Date(timeIntervalSince1970: 1_459_269_608.208))
        #expect(letter.json["failedAt"] == "2016-03-29T16:40:08Z")
    }
}
