/// The bytes a ``JSONParser`` reads, as a non-optional base address and a count: the scanning
/// loops index it with no check for a missing base address (which `UnsafeRawBufferPointer`
/// has), and move by offsets that cannot overflow (they stay below `count`).
struct ByteView {
    let base: UnsafePointer<UInt8>
    let count: Int

    @inline(__always)
    init(_ bytes: UnsafeRawBufferPointer) {
        // An empty buffer may have no base address; one that is never read stands in.
        base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        count = bytes.count
    }

    @inline(__always)
    subscript(index: Int) -> UInt8 { base[index] }

    /// The same bytes as a raw buffer, for a ``JSONParser`` over them.
    var raw: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// The offset of the first byte at or after `start` that is not whitespace (`count` if none).
    @inline(__always)
    func skipWhitespace(from start: Int) -> Int {
        var index = start
        while index < count {
            switch base[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index &+= 1
            default: return index
            }
        }
        return index
    }

    /// The offset of the first quote, backslash or control character at or after `start`
    /// (`count` if none): eight bytes at a time, since most string bytes are plain.
    @inline(__always)
    func plainRunEnd(from start: Int) -> Int {
        var index = start
        let low: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        while index &+ 8 <= count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let quote = word ^ 0x2222_2222_2222_2222
            let backslash = word ^ 0x5C5C_5C5C_5C5C_5C5C
            // A byte's high bit is set where it is zero (quote, backslash) or below 0x20
            // (control); a borrow can only mark bytes above the first real one.
            let found = ((quote &- low) & ~quote & high) | ((backslash &- low) & ~backslash & high)
                | ((word &- 0x2020_2020_2020_2020) & ~word & high)
            if found != 0 { return index &+ found.trailingZeroBitCount &>> 3 }
            index &+= 8
        }
        while index < count {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return index }
            index &+= 1
        }
        return count
    }
}
