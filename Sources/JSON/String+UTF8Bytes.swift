#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension String {
    /// Whether the string's UTF-8 is exactly `bytes`, compared in place: `withUTF8` needs a `var`
    /// copy of the string (a retain and a release each time, and this runs for every member
    /// name a lookup passes). The lengths are compared inline: most names a lookup passes differ
    /// in length from the one it looks for.
    @inline(__always)
    func utf8Equals(_ bytes: UnsafeRawBufferPointer) -> Bool {
        utf8.count == bytes.count && sameLengthUTF8Equals(bytes)
    }

    private func sameLengthUTF8Equals(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty else { return true }
        return utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
            ?? utf8.elementsEqual(bytes)
    }
}
