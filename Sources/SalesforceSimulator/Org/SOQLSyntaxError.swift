/// A SOQL text that does not parse.
struct SOQLSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    var message: String
    var description: String { message }
}
