import Logging

/// The periodic upkeep of a replay store while a streaming connection runs, every
/// ``ReplayStore/refreshInterval``:
/// 1. refreshes the stored positions of the subscribed channels (extends their expiry), so a quiet
///    channel keeps its position;
/// 2. writes watermarks whose last write failed (Redis was down) or that the store lost (Redis
///    restarted without persistence), so they reach the store soon after it is back even on a
///    channel with no new events.
///
/// Failures are logged and tried again next time; they never stop the connection.
enum ReplayStoreMaintenance {
    /// Starts the upkeep, or returns nil when the store needs none. Cancel the task to stop it.
    static func start(store: any ReplayStore, tracker: ReplayTracker, channels: [String],
                      logger: Logger) -> Task<Void, Never>? {
        guard let interval = store.refreshInterval, interval > .zero, !channels.isEmpty else { return nil }
        return Task {
            while true {
                do { try await Task.sleep(for: interval) } catch { return }
                do {
                    let missing = try await store.refresh(channels: channels)
                    if !missing.isEmpty { await tracker.storeLost(channels: missing) }
                } catch {
                    logger.warning("could not refresh the stored replay positions; retrying later",
                                   metadata: ["error": "\(error)"])
                }
                await tracker.flush()
            }
        }
    }
}
