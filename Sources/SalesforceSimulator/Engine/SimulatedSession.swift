/// A logged-in session (an access token) of the simulated org.
struct SimulatedSession {
    let token: String
    let user: SimulatedUser
}
