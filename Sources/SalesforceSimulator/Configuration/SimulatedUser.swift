/// A user who can log in to the simulated org.
public struct SimulatedUser: Sendable, Hashable {
    public var username: String
    public var password: String
    /// Appended to the password on login, as Salesforce requires from untrusted IP addresses.
    /// A login with the password alone is accepted only when this is empty.
    public var securityToken: String
    /// The 18-character user ID, `005...`.
    public var userID: String
    public var displayName: String
    public var email: String

    public init(username: String, password: String, securityToken: String = "",
                userID: String = "005000000000001AAA", displayName: String = "Simulated User",
                email: String? = nil) {
        self.username = username
        self.password = password
        self.securityToken = securityToken
        self.userID = userID
        self.displayName = displayName
        self.email = email ?? username
    }

    /// The demo user the executable and examples use by default.
    public static let demo = SimulatedUser(username: "demo@example.com", password: "demo-password",
                                           securityToken: "demo-token", userID: "005000000000001AAA",
                                           displayName: "Demo User")

    /// A second user, so tests can make "a change by another user" (`other@example.com`).
    public static let other = SimulatedUser(username: "other@example.com", password: "other-password",
                                            securityToken: "other-token", userID: "005000000000002AAA",
                                            displayName: "Other User")
}
