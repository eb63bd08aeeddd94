#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Builds the partner `login()` request and reads its reply; no I/O.
enum SOAPEnvelope {
    /// The `login()` request envelope, values XML-escaped.
    static func loginRequest(username: String, password: String) -> String {
        """
        <?xml version="1.0" encoding="utf-8" ?>
        <env:Envelope xmlns:xsd="http://www.w3.org/2001/XMLSchema" \
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
        xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
          <env:Body>
            <n1:login xmlns:n1="urn:partner.soap.sforce.com">
              <n1:username>\(escape(username))</n1:username>
              <n1:password>\(escape(password))</n1:password>
            </n1:login>
          </env:Body>
        </env:Envelope>
        """
    }

    /// Escapes text for an XML element or attribute value. Characters XML 1.0 cannot carry at
    /// all (most C0 controls) are dropped; Salesforce could not match them anyway.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case "\r": out += "&#13;"
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// What a `login()` reply contains.
    enum LoginReply: Equatable {
        case success(sessionID: String, serverURL: String, userID: String, organizationID: String,
                     username: String?, passwordExpired: Bool)
        /// A SOAP fault; `code` without its namespace prefix (`INVALID_LOGIN`).
        case fault(code: String, message: String)
        /// Well-formed or not, not a login reply.
        case unrecognized
    }

    /// Parses a `loginResponse` or a SOAP fault.
    static func parseLoginReply(_ body: Data) -> LoginReply {
        guard let values = leafTexts(of: body) else { return .unrecognized }

        let result = "Envelope/Body/loginResponse/result/"
        if let sessionID = values[result + "sessionId"], !sessionID.isEmpty,
           let serverURL = values[result + "serverUrl"], !serverURL.isEmpty,
           let userID = values[result + "userId"] ?? values[result + "userInfo/userId"], !userID.isEmpty,
           let organizationID = values[result + "userInfo/organizationId"], !organizationID.isEmpty {
            return .success(sessionID: sessionID, serverURL: serverURL, userID: userID,
                            organizationID: organizationID, username: values[result + "userInfo/userName"],
                            passwordExpired: values[result + "passwordExpired"] == "true")
        }

        let fault = "Envelope/Body/Fault/"
        let exceptionCode = values.first { $0.key.hasPrefix(fault + "detail/") && $0.key.hasSuffix("/exceptionCode") }?.value
        if let rawCode = values[fault + "faultcode"] ?? exceptionCode {
            // "sf:INVALID_LOGIN" → "INVALID_LOGIN"; "soapenv:Client" → "Client".
            let code = rawCode.split(separator: ":").last.map(String.init) ?? rawCode
            return .fault(code: code, message: values[fault + "faultstring"] ?? "")
        }
        return .unrecognized
    }

    /// The text of every element by its path of local names
    /// (`Envelope/Body/loginResponse/result/sessionId`), trimmed; the first element of a path
    /// wins. An element with children keeps only the text after its last child. `nil` when
    /// the body is not well-formed XML.
    static func leafTexts(of body: Data) -> [String: String]? {
        var reader = XMLReader(Array(body))
        var values: [String: String] = [:]
        var path: [String] = []
        var text = ""
        do {
            while let event = try reader.next() {
                switch event {
                case .start(let name, _):
                    path.append(name.localName)
                    text = ""
                case .text(let chunk):
                    text += chunk
                case .end:
                    let key = path.joined(separator: "/")
                    if values[key] == nil {
                        values[key] = trimmingWhitespace(text)
                    }
                    text = ""
                    path.removeLast()
                }
            }
        } catch {
            return nil
        }
        return values
    }

    /// `text` without leading and trailing Unicode white space and line breaks.
    private static func trimmingWhitespace(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
