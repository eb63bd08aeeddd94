import Bayeux
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTransport
import Salesforce

/// The simulator's drain ceiling: the least a client can do per event. Logs in (SOAP), then
/// handshake, subscribe and `/meta/connect` in a loop with libcurl, finding each event's replay ID
/// (and, for paced events, publish time) by a byte scan of the reply (no JSON decoding, no
/// framework, no handler): the simulator's throughput ceiling and latency floor.
struct Drainer {
    let options: Options
    let recorder: Recorder

    func run() async throws {
        let http = CurlHTTPClient()
        let session = try await SOAPLogin(username: options.username, password: options.password,
                                          securityToken: options.securityToken, loginURL: options.loginURL,
                                          apiVersion: "64.0", httpClient: http).login()
        let url = session.cometdURL(apiVersion: "64.0")
        func post(_ json: String) async throws -> [UInt8] {
            let response = try await http.send(HTTPRequest(
                method: .post, url: url,
                headers: [session.authorizationHeader, (name: "Content-Type", value: "application/json")],
                body: Data(json.utf8), timeout: .seconds(130)))
            guard response.status == 200 else { throw DrainError("HTTP \(response.status)") }
            return response.bytes
        }
        let handshake = try BayeuxMessage.decodeBatch(try await post(
            #"[{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"]}]"#)).messages
        guard let clientID = handshake.first?.clientId else { throw DrainError("handshake failed: \(handshake)") }
        _ = try await post(#"[{"channel":"/meta/subscribe","clientId":"\#(clientID)","subscription":"\#(channel)","ext":{"replay":{"\#(channel)":-1}}}]"#)
        let connect = #"[{"channel":"/meta/connect","clientId":"\#(clientID)","connectionType":"long-polling"}]"#
        while !Task.isCancelled {
            let body = try await post(connect)
            let replayIDs = numbers(after: #""replayId":"#, in: body)
            // Paced events carry their publish time in the record's Name; bulk ones do not.
            let published = numbers(after: #""Name":""#, in: body)
            for (index, replayID) in replayIDs.enumerated() {
                recorder.record(replayID: replayID, publishedAt: published.count == replayIDs.count ? published[index] : nil)
            }
        }
    }

    private let channel = "/topic/BenchEvents"

    /// The numbers right after every occurrence of `keyText` in `body` (byte scan, no JSON decoding).
    private func numbers(after keyText: String, in body: [UInt8]) -> [Int64] {
        let key = Array(keyText.utf8)
        var found: [Int64] = []
        body.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = 0
            let end = bytes.count - key.count
            while i < end {
                if bytes[i] == key[0], bytes[i + 1] == key[1], bytes[i + 2] == key[2] {
                    var matched = true
                    for k in 3..<key.count where bytes[i + k] != key[k] { matched = false; break }
                    if matched {
                        var j = i + key.count
                        var value: Int64 = 0
                        while j < bytes.count, bytes[j] >= 48, bytes[j] <= 57 {
                            value = value * 10 + Int64(bytes[j] - 48)
                            j += 1
                        }
                        if j > i + key.count { found.append(value) }
                        i = j
                        continue
                    }
                }
                i += 1
            }
        }
        return found
    }
}

struct DrainError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
