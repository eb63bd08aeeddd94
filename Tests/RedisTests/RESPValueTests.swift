import Foundation
import Testing
import Redis

@Suite("RESPValue accessors")
struct RESPValueTests {
    @Test("bulk strings stay bytes; stringValue only for valid UTF-8")
    func bulkStrings() {
        let text = RESPValue.string("héllo")
        #expect(text == .bulkString(Data("héllo".utf8)))
        #expect(text.stringValue == "héllo")
        #expect(text.dataValue == Data("héllo".utf8))
        let binary = RESPValue.bulkString(Data([0xFF, 0x00, 0xFE]))
        #expect(binary.stringValue == nil)
        #expect(binary.dataValue == Data([0xFF, 0x00, 0xFE]))
        #expect(binary.description == "<3 bytes>")
    }

    @Test("integerValue reads integers and decimal strings only")
    func integers() {
        #expect(RESPValue.integer(-7).integerValue == -7)
        #expect(RESPValue.string("42").integerValue == 42)
        #expect(RESPValue.simpleString("12").integerValue == 12)
        #expect(RESPValue.string("4x").integerValue == nil)
        #expect(RESPValue.null.integerValue == nil)
    }

    @Test("arrays, null and errors are distinguishable")
    func others() {
        let array = RESPValue.array([.integer(1), .null])
        #expect(array.arrayValue == [.integer(1), .null])
        #expect(RESPValue.null.isNull)
        #expect(!RESPValue.string("").isNull)
        #expect(RESPValue.error("ERR x").stringValue == nil)
        #expect(RESPValue.simpleString("OK").arrayValue == nil)
    }
}
