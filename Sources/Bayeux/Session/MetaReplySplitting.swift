extension BayeuxMessage {
    /// Takes the meta replies (`/meta/...` channels) out of a decoded reply and returns them,
    /// leaving `replies` with its events only, in order, each stamped with `clientID` where it has
    /// no `clientId` (servers strip it; the consumer sees which client received the event).
    static func takeMetaReplies(from replies: inout [BayeuxMessage], stampingEventsWith clientID: String?) -> [BayeuxMessage] {
        var metaIndices: [Int] = []
        // Through the buffer: reading `replies[index].channel` on the array copied every message.
        replies.withUnsafeMutableBufferPointer { messages in
            for index in messages.indices {
                if isMetaChannel(messages[index].channel) {
                    metaIndices.append(index)
                } else if messages[index].clientId == nil {
                    messages[index].clientId = clientID
                }
            }
        }
        guard !metaIndices.isEmpty else { return [] }
        let metas = metaIndices.map { replies[$0] }
        remove(at: metaIndices, from: &replies)
        return metas
    }

    /// Removes the messages at `indices` (ascending): a reply's meta replies, possibly all of it.
    /// They come first or last (a `/meta/connect` reply before or after the events), so the
    /// events are moved, not copied one by one.
    private static func remove(at indices: [Int], from replies: inout [BayeuxMessage]) {
        var leading = 0
        while leading < indices.count, indices[leading] == leading { leading += 1 }
        var trailing = 0
        while leading + trailing < indices.count, indices[indices.count - 1 - trailing] == replies.count - 1 - trailing {
            trailing += 1
        }
        if leading + trailing == indices.count {
            replies.removeLast(trailing)
            replies.removeFirst(leading)
        } else {
            for index in indices.reversed() { replies.remove(at: index) }
        }
    }
}
