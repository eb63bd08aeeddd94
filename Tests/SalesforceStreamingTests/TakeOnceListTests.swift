import Testing
@testable import SalesforceStreaming

/// A batch of workers takes its events out of a `TakeOnceList`: these tests protect that each
/// element is handed out once and that the list lets go of it when taken, so the worker that
/// took an event frees it, not the batch when its last worker ends.
@Suite("TakeOnceList")
struct TakeOnceListTests {
    final class Item: Sendable {
        let number: Int
        init(_ number: Int) { self.number = number }
    }

    @Test("each element is taken once; taking it again gives nil")
    func takesOnce() {
        let list = TakeOnceList([Item(0), Item(1), Item(2)])
        #expect(list.count == 3)
        #expect(list.take(1)?.number == 1)
        #expect(list.take(1) == nil)
        #expect(list.take(0)?.number == 0)
        #expect(list.take(2)?.number == 2)
    }

    @Test("a taken element is freed when its taker lets go, while the list and the others live on")
    func releasesTaken() {
        weak var first: Item?
        let list: TakeOnceList<Item>
        do {
            let items = [Item(0), Item(1)]
            first = items[0]
            list = TakeOnceList(items)
        }
        #expect(first != nil)
        do {
            let taken = list.take(0)
            #expect(taken?.number == 0)
        }
        #expect(first == nil)
        #expect(list.take(1)?.number == 1)
    }
}
