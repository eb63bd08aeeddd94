/// A JSON object's members, e.g. one Salesforce record (`["Id": "001…", "Name": "Acme"]`): looked
/// up by name like a dictionary, kept in the order they were read or added.
///
/// Most objects of a streaming event have a handful of members (`{"Id":…,"Name":…}`), and an
/// event's handler reads one or two of them once. So members are kept in one array and found by
/// comparing names, with no hashing and no hash table to allocate; an object with more than eight
/// members also keeps an index by name, so large records stay O(1) to look up.
///
/// Equality and hashing ignore member order, as for a JSON object (and a `Dictionary`); a name
/// appears at most once (setting a name again replaces its value in place).
public struct JSONObject: Sendable {
    public typealias Element = (key: String, value: JSONValue)

    /// A member as stored: a struct rather than the `Element` tuple, so that copying and
    /// destroying an array of them uses the struct's own value witnesses, not the runtime's
    /// generic tuple ones.
    private struct Member: Sendable {
        var key: String
        var value: JSONValue
    }

    private var members: [Member]
    /// Each member's position by name; only for objects of more than `indexThreshold` members.
    private var positions: [String: Int]?

    /// Above this many members, an object keeps an index by name.
    static let indexThreshold = 8

    /// An empty object.
    public init() {
        members = []
    }

    /// An empty object with room for `capacity` members.
    public init(minimumCapacity capacity: Int) {
        members = []
        members.reserveCapacity(capacity)
    }

    /// The members of `pairs`, in order; a repeated name keeps its first place and the last value.
    public init(members pairs: [(String, JSONValue)]) {
        self.init(minimumCapacity: pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    /// The members of `dictionary` (in the dictionary's order).
    public init(_ dictionary: [String: JSONValue]) {
        members = dictionary.map { Member(key: $0.key, value: $0.value) }
        if members.count > Self.indexThreshold { rebuildPositions() }
    }

    /// The value of member `key`; setting `nil` removes the member, setting a new name appends it.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { members[$0].value } }
        set {
            if let newValue {
                set(key, newValue)
            } else if let index = position(of: key) {
                members.remove(at: index)
                if positions != nil { rebuildPositions() }
            }
        }
    }

    /// The member's value for `key`, or `defaultValue` when there is none.
    public subscript(key: String, default defaultValue: @autoclosure () -> JSONValue) -> JSONValue {
        self[key] ?? defaultValue()
    }

    /// Removes member `key`, returning its value.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        let old = self[key]
        self[key] = nil
        return old
    }

    /// The member names, in order.
    public var keys: [String] { members.map(\.key) }

    /// The member values, in order.
    public var values: [JSONValue] { members.map(\.value) }

    /// The members as a `Dictionary`.
    public var dictionary: [String: JSONValue] {
        Dictionary(members.lazy.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// The object with each value transformed, names and order kept.
    public func mapValues(_ transform: (JSONValue) throws -> JSONValue) rethrows -> JSONObject {
        var copy = self
        for index in copy.members.indices { copy.members[index].value = try transform(copy.members[index].value) }
        return copy
    }

    /// Adds the members of `other`; for a name in both, `combine` gets this object's value and `other`'s.
    public mutating func merge(_ other: JSONObject, uniquingKeysWith combine: (JSONValue, JSONValue) throws -> JSONValue) rethrows {
        for (key, value) in other {
            if let index = position(of: key) {
                members[index].value = try combine(members[index].value, value)
            } else {
                append(key, value)
            }
        }
    }

    /// This object with the members of `other` added (see ``merge(_:uniquingKeysWith:)``).
    public func merging(_ other: JSONObject, uniquingKeysWith combine: (JSONValue, JSONValue) throws -> JSONValue) rethrows -> JSONObject {
        var merged = self
        try merged.merge(other, uniquingKeysWith: combine)
        return merged
    }

    /// Sets member `key` to `value`: a new name is appended, a repeated one keeps its place (how
    /// the parser adds members: the last of repeated names wins).
    @inline(__always)
    mutating func set(_ key: String, _ value: JSONValue) {
        if let index = position(of: key) {
            members[index].value = value
        } else {
            append(key, value)
        }
    }

    /// Adds a member known not to be there yet (the caller checked).
    private mutating func append(_ key: String, _ value: JSONValue) {
        members.append(Member(key: key, value: value))
        if positions != nil {
            positions![key] = members.count - 1
        } else if members.count > Self.indexThreshold {
            rebuildPositions()
        }
    }

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        return members.firstIndex { $0.key == key }
    }

    private mutating func rebuildPositions() {
        var index: [String: Int] = [:]
        index.reserveCapacity(members.count)
        for (position, member) in members.enumerated() { index[member.key] = position }
        positions = index
    }
}

extension JSONObject: RandomAccessCollection {
    public var startIndex: Int { members.startIndex }
    public var endIndex: Int { members.endIndex }
    public subscript(position: Int) -> Element { (members[position].key, members[position].value) }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// `["Id": "001…", "Name": "Acme"]`; a repeated name keeps the last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(members: elements)
    }
}

extension JSONObject: Hashable {
    /// The same members with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.count == rhs.count && lhs.members.allSatisfy { rhs[$0.key] == $0.value }
    }

    /// Independent of member order (as `Dictionary` hashes: the members' hashes combined commutatively).
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for member in members {
            var memberHasher = hasher
            memberHasher.combine(member.key)
            memberHasher.combine(member.value)
            combined ^= memberHasher.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }
}

extension JSONObject: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try [String: JSONValue](from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try dictionary.encode(to: encoder)
    }
}

extension JSONObject: CustomStringConvertible {
    /// The compact JSON text.
    public var description: String { JSONValue.object(self).description }
}
