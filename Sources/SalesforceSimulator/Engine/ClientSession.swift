/// One CometD client (a successful handshake), owned by the ``SimulatedOrg`` actor.
final class ClientSession {
    let id: String
    let browserID: String
    let userID: String
    /// Channel name → cursor (the next sequence number to deliver), in subscription order.
    var cursors: [String: Int64] = [:]
    var order: [String] = []
    var connects = 0
    /// Set by the client's own `/meta/disconnect` (a held connect then answers successfully).
    var disconnected = false
    /// When the last request arrived or the last reply was sent.
    var lastSeen: ContinuousClock.Instant
    /// The held `/meta/connect`, if any.
    var waiter: CheckedContinuation<Void, Never>?
    var waiterToken: UInt64 = 0

    init(id: String, browserID: String, userID: String, now: ContinuousClock.Instant) {
        self.id = id
        self.browserID = browserID
        self.userID = userID
        self.lastSeen = now
    }

    func subscribe(_ channel: String, cursor: Int64) {
        if cursors.updateValue(cursor, forKey: channel) == nil { order.append(channel) }
    }

    func unsubscribe(_ channel: String) {
        if cursors.removeValue(forKey: channel) != nil { order.removeAll { $0 == channel } }
    }

    /// Wakes the held connect, if any.
    func wake() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        }
    }
}
