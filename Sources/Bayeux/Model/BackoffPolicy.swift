#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bounded exponential backoff with full jitter: the delay before retry `attempt` (0-based) is
/// uniformly random in `0 ... min(maximum, initial × factor^attempt)`.
public struct BackoffPolicy: Sendable {
    public var initial: Duration
    public var maximum: Duration
    public var factor: Double
    /// Returns a number in `0 ... 1`; replaceable for deterministic tests.
    public var random: @Sendable () -> Double

    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30), factor: Double = 2,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) })
    {
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.random = random
    }

    /// The upper bound of the delay before retry `attempt`.
    public func ceiling(forAttempt attempt: Int) -> Duration {
        let initialSeconds = Self.seconds(initial)
        let maximumSeconds = Self.seconds(maximum)
        let exponent = Double(max(0, min(attempt, 64)))
        let raw = initialSeconds * pow(factor, exponent)
        let bounded = raw.isFinite ? min(raw, maximumSeconds) : maximumSeconds
        return .nanoseconds(Int64(bounded * 1e9))
    }

    /// A jittered delay before retry `attempt`.
    public func delay(forAttempt attempt: Int) -> Duration {
        let fraction = min(1, max(0, random()))
        let seconds = Self.seconds(ceiling(forAttempt: attempt)) * fraction
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
