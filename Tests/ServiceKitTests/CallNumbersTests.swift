@testable import ServiceKit
import Testing

@Suite("CallNumbers")
struct CallNumbersTests {
    @Test("call numbers do not repeat, and do not simply count up")
    func unique() {
        let numbers = CallNumbers()
        let drawn = (0..<100_000).map { _ in numbers.next() }
        #expect(Set(drawn).count == drawn.count)
        #expect(zip(drawn, drawn.dropFirst()).filter { $1 == $0 &+ 1 }.isEmpty)
    }

    @Test("two containers draw different call numbers")
    func perContainer() {
        let first = (0..<100).map { _ in CallNumbers().next() }
        #expect(Set(first).count == first.count)
    }
}
