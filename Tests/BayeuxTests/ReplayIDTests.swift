import Testing
@testable import Bayeux

@Suite("ReplayID and ReplayPosition")
struct ReplayIDTests {
    @Test("storage text of an integer is its digits and restores the integer (Python int compatible)")
    func integerStorage() {
        let id = ReplayID(.int(123))
        #expect(id.storageText == "123")
        #expect(ReplayID(storageText: "123") == id)
        #expect(ReplayID(storageText: "123")?.value == .int(123))
    }

    @Test("string IDs round-trip through JSON text; non-JSON text is kept as an opaque string")
    func opaqueStorage() {
        let id = ReplayID(.string("AAAB-1"))
        #expect(id.storageText == #""AAAB-1""#)
        #expect(ReplayID(storageText: id.storageText) == id)
        #expect(ReplayID(storageText: "AAAB-1") == id)
        #expect(ReplayID(storageText: "") == nil)
        #expect(ReplayID(storageText: "null") == nil)
    }

    @Test("positions map to -1, -2 and the ID itself")
    func positions() {
        #expect(ReplayPosition.newEvents.jsonValue == -1)
        #expect(ReplayPosition.allRetained.jsonValue == -2)
        #expect(ReplayPosition.after(ReplayID(.int(42))).jsonValue == 42)
    }
}
