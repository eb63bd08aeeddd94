import Synchronization

/// Call numbers for a container's workers: unique within the process run and random-looking,
/// without a `getrandom` system call per worker (that was 1-2 % of an event's CPU).
///
/// A random start and a counter, mixed by SplitMix64's finalizer (a bijection, so distinct
/// counter values give distinct numbers).
final class CallNumbers: Sendable {
    private let start = UInt64.random(in: .min ... .max)
    private let counter = Atomic<UInt64>(0)

    func next() -> UInt64 {
        var z = start &+ counter.add(1, ordering: .relaxed).newValue &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
