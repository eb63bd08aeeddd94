import Synchronization

/// A fixed list whose elements are each taken out once, by index, from any thread: a batch of
/// workers takes its events this way, so that once a worker has its event the batch no longer
/// holds it (the worker's references are the last ones, and it frees what it handled).
final class TakeOnceList<Element: Sendable>: Sendable {
    let count: Int
    private let elements: Mutex<[Element?]>

    init(_ elements: [Element?]) {
        self.count = elements.count
        self.elements = Mutex(elements)
    }

    /// Element `index`, removed from the list; nil if it was taken before.
    func take(_ index: Int) -> Element? {
        elements.withLock { $0[index].take() }
    }
}
