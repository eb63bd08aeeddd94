import Bayeux
import Foundation
import HTTPTransport
import Salesforce

/// The simulator's drain ceiling: the least a client can do per event. Logs in (SOAP), then
/// handshake, subscribe and `/meta/connect` in a loop with libcurl, finding each event's replay ID
/// by a byte scan of the reply (no JSON decoding, no framework, no handler).
struct Drainer {
    let options: Options
    let recorder: Recorder

    func run() async throws {
        let http = CurlHTTPClient()
        let session = try await SOAPLogin(username: options.username, password: options.password,
                                          securityToken: options.securityToken, loginURL: options.loginURL,
                                          apiVersion: "64.0", httpClient: http).login()
        let url = session.cometdURL(apiVersion: "64.0")
        func post(_ json: String) async throws -> Data {
            let response = try await http.send(HTTPRequest(
                method: .post, url: url,
                headers: [session.authorizationHeader, (name: "Content-Type", value: "application/json")],
                body: Data(json.utf8), timeout: .seconds(130)))
            guard response.status == 200 else { throw DrainError("HTTP \(response.status)") }
            return response.body
        }
        let handshake = try BayeuxMessage.decodeBatch(try await post(
            #"[{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"]}]"#)).messages
        guard let clientID = handshake.first?.clientId else { throw DrainError("handshake failed: \(handshake)") }
        _ = try await post(#"[{"channel":"/meta/subscribe","clientId":"\#(clientID)","subscription":"\#(channel)","ext":{"replay":{"\#(channel)":-1}}}]"#)
        let connect = #"[{"channel":"/meta/connect","clientId":"\#(clientID)","connectionType":"long-polling"}]"#
        while !Task.isCancelled {
            let body = try await post(connect)
            scanReplayIDs(body) { recorder.record(replayID: $0, publishedAt: nil) }
        }
    }

    private let channel = "/topic/BenchEvents"

    /// Calls `found` with the number after every `"replayId":` in `body`.
    private func scanReplayIDs(_ body: Data, _ found: (Int64) -> Void) {
        let key = Array(#""replayId":"#.utf8)
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
                        found(value)
                        i = j
                        continue
                    }
                }
                i += 1
            }
        }
    }
}

struct DrainError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
