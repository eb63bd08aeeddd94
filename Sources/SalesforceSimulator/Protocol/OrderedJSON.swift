/// A JSON object under construction that keeps its members in insertion order, so Bayeux replies
/// read as Salesforce writes them (`channel` first, ...).
struct OrderedJSON {
    private(set) var members: [(String, JSONValue)] = []

    init(_ members: [(String, JSONValue)] = []) { self.members = members }

    mutating func set(_ key: String, _ value: JSONValue?) {
        guard let value else { return }
        if let i = members.firstIndex(where: { $0.0 == key }) { members[i].1 = value }
        else { members.append((key, value)) }
    }

    func write(to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (n, (k, v)) in members.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.writeString(k, to: &out)
            out.append(UInt8(ascii: ":"))
            v.write(to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        write(to: &out)
        return out
    }
}
