/// Header field name comparison, without Foundation.
enum HeaderName {
    /// Whether two header field names are equal ignoring case.
    ///
    /// Field names are ASCII tokens: they are compared byte by byte with ASCII case folding,
    /// without allocating. Names with other characters (which no valid field has) fall back to
    /// comparing their upper-cased forms.
    static func matches(_ lhs: String, _ rhs: String) -> Bool {
        let left = lhs.utf8, right = rhs.utf8
        guard left.count == right.count else {
            return isASCII(left) && isASCII(right) ? false : lhs.uppercased() == rhs.uppercased()
        }
        for (a, b) in zip(left, right) {
            if a >= 0x80 || b >= 0x80 { return lhs.uppercased() == rhs.uppercased() }
            if a != b, fold(a) != fold(b) { return false }
        }
        return true
    }

    private static func isASCII(_ bytes: String.UTF8View) -> Bool {
        bytes.allSatisfy { $0 < 0x80 }
    }

    private static func fold(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
