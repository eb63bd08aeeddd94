/// Where the members of an object are in its text, noted while the text was checked
/// (``JSONParser/member(at:offsets:)``): a later read of one member parses only that member's
/// value, instead of skipping the members before it again.
///
/// Holds up to ``capacity`` members inline, in 40 bytes (every event keeps one: an event's `data`
/// has two or three members); an object with more, spanning over 64 KB, or with a member name
/// that has an escape (its text is not its name), is not indexed and readers scan it instead.
package struct MemberOffsets: Sendable {
    /// One member: its name's bytes (without quotes) and its value's, as offsets from `base`.
    private struct Entry {
        var nameStart: UInt16 = 0
        var nameEnd: UInt16 = 0
        var valueStart: UInt16 = 0
        var valueEnd: UInt16 = 0
    }

    private static let capacity = 4
    /// Where the first member's name starts in the text.
    private var base: UInt32 = 0
    private var entries: (Entry, Entry, Entry, Entry) = (Entry(), Entry(), Entry(), Entry())
    private var count: UInt8 = 0
    /// False once a member could not be noted: lookups must scan the text.
    package private(set) var isComplete = true

    package init() {}

    mutating func markIncomplete() { isComplete = false }

    /// Notes a member: where its name (without quotes) and its value are in the text, and
    /// whether the name has no escapes.
    @inline(__always)
    mutating func append(name: Range<Int>, value: Range<Int>, plainName: Bool) {
        if count == 0, name.lowerBound <= Int(UInt32.max) { base = UInt32(name.lowerBound) }
        let base = Int(base)
        // Members come in order, so each starts at or after the first one's name.
        guard isComplete, plainName, count < Self.capacity, name.lowerBound >= base, value.upperBound &- base <= Int(UInt16.max) else {
            isComplete = false
            return
        }
        let entry = Entry(nameStart: UInt16(truncatingIfNeeded: name.lowerBound &- base), nameEnd: UInt16(truncatingIfNeeded: name.upperBound &- base),
                          valueStart: UInt16(truncatingIfNeeded: value.lowerBound &- base), valueEnd: UInt16(truncatingIfNeeded: value.upperBound &- base))
        let index = Int(count)
        withUnsafeMutableBytes(of: &entries) { $0.storeBytes(of: entry, toByteOffset: index * MemoryLayout<Entry>.stride, as: Entry.self) }
        count &+= 1
    }

    private func entry(_ index: Int) -> Entry {
        withUnsafeBytes(of: entries) { $0.load(fromByteOffset: index * MemoryLayout<Entry>.stride, as: Entry.self) }
    }

    /// Where the value of the member called `name` is in `text` (the last one, if repeated, as in
    /// a parsed object), or nil if there is none. Only for a complete index.
    package func valueRange(of name: String, in text: UnsafeRawBufferPointer) -> Range<Int>? {
        let base = Int(base)
        for index in stride(from: Int(count) - 1, through: 0, by: -1) {
            let entry = entry(index)
            let start = base + Int(entry.nameStart), end = base + Int(entry.nameEnd)
            if name.utf8Equals(UnsafeRawBufferPointer(rebasing: text[start..<end])) {
                return (base + Int(entry.valueStart))..<(base + Int(entry.valueEnd))
            }
        }
        return nil
    }
}
