/// A failure to inject into the simulated org (``SimulatedOrg/inject(fault:)``).
public enum SimulatorFault: Sendable, Hashable {
    /// The next `/meta/connect` reply is built (its events are dequeued, as on the real server)
    /// and then the connection is closed without a complete response: those events are lost
    /// for that client ID.
    case dropNextLongPoll
    /// The next `count` requests (login, REST or CometD) are answered with this HTTP status
    /// (e.g. 500) and a plain-text body.
    case httpError(status: Int, count: Int)
    /// The next `count` CometD requests are answered with Salesforce's
    /// `503::Server is too busy. Please try your request again later.` failure reason
    /// (advice `reconnect: none`).
    case tooBusy(count: Int)
    /// Every session token becomes invalid now: CometD answers `401::Authentication invalid`
    /// (handshake: `403::Handshake denied`); users must log in again.
    case expireSessions
    /// Every CometD client is forgotten now: their next request gets `403::Unknown client`.
    case forgetClients
    /// The next `/meta/connect` reply carries a server `/meta/disconnect` message and the
    /// client is forgotten (Salesforce auto-scaling, API ≥ 64.0).
    case serverDisconnect
    /// The next CometD reply body is malformed JSON (cut short); a connect reply's events are lost.
    case malformedJSON
    /// Every later non-control reply is delayed by this many milliseconds (0 turns it off).
    case delay(milliseconds: Int)
}
