import Foundation
import HTTPTransport

extension SimulatedOrg {
    /// Checks a username and a password (+ security token) against the configured users.
    func authenticate(username: String, password: String) -> SimulatedUser? {
        guard let user = configuration.users.first(where: { $0.username.lowercased() == username.lowercased() }) else {
            return nil
        }
        if password == user.password + user.securityToken { return user }
        if user.securityToken.isEmpty && password == user.password { return user }
        return nil
    }

    /// Opens a session and returns its token, shaped like Salesforce's `00D...!AQ...`.
    func openSession(for user: SimulatedUser) -> String {
        let token = String(configuration.organizationID.prefix(15)) + "!AQ" + Self.randomID(
            length: 96, alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"))
        sessions[token] = SimulatedSession(token: token, user: user)
        tokensIssued.append(token)
        return token
    }

    // MARK: SOAP partner login

    func soapLogin(_ request: HTTPRequest, path: String) -> HTTPResponse {
        let version = path.dropFirst("/services/Soap/u/".count).split(separator: "/").first.map(String.init) ?? ""
        let body = request.body.flatMap { String(data: $0, encoding: .utf8) } ?? ""
        let action = (request.header("SOAPAction") ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard action == "login" || (action.isEmpty && Self.xmlElement("login", in: body) != nil) else {
            return soapFault(code: "sf:INVALID_OPERATION", exception: "INVALID_OPERATION",
                             message: "Only the login operation is simulated", status: 500, loginFault: false)
        }
        guard let username = Self.xmlElement("username", in: body),
              let password = Self.xmlElement("password", in: body),
              let user = authenticate(username: username, password: password) else {
            return soapFault(code: "sf:INVALID_LOGIN", exception: "INVALID_LOGIN",
                             message: "Invalid username, password, security token; or user locked out.",
                             status: 500, loginFault: true)
        }
        let token = openSession(for: user)
        let org = configuration.organizationID
        let base = configuration.baseURL
        func esc(_ s: String) -> String { Self.xmlEscape(s) }
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
        xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>\
        <loginResponse><result><metadataServerUrl>\(esc(base))/services/Soap/m/\(esc(version))/\(org)</metadataServerUrl>\
        <passwordExpired>false</passwordExpired><sandbox>false</sandbox>\
        <serverUrl>\(esc(base))/services/Soap/u/\(esc(version))/\(org)</serverUrl>\
        <sessionId>\(esc(token))</sessionId><userId>\(esc(user.userID))</userId><userInfo>\
        <accessibilityMode>false</accessibilityMode><chatterExternal>false</chatterExternal>\
        <currencySymbol>$</currencySymbol><orgAttachmentFileSizeLimit>5242880</orgAttachmentFileSizeLimit>\
        <orgDefaultCurrencyIsoCode>USD</orgDefaultCurrencyIsoCode><orgDefaultCurrencyLocale>en_US</orgDefaultCurrencyLocale>\
        <orgDisallowHtmlAttachments>false</orgDisallowHtmlAttachments><orgHasPersonAccounts>false</orgHasPersonAccounts>\
        <organizationId>\(org)</organizationId><organizationMultiCurrency>false</organizationMultiCurrency>\
        <organizationName>\(esc(configuration.organizationName))</organizationName>\
        <profileId>00e000000000001AAA</profileId><roleId xsi:nil="true"/><sessionSecondsValid>7200</sessionSecondsValid>\
        <userDefaultCurrencyIsoCode xsi:nil="true"/><userEmail>\(esc(user.email))</userEmail>\
        <userFullName>\(esc(user.displayName))</userFullName><userId>\(esc(user.userID))</userId>\
        <userLanguage>en_US</userLanguage><userLocale>en_US</userLocale><userName>\(esc(user.username))</userName>\
        <userTimeZone>America/Los_Angeles</userTimeZone><userType>Standard</userType><userUiSkin>Theme3</userUiSkin>\
        </userInfo></result></loginResponse></soapenv:Body></soapenv:Envelope>
        """
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/xml;charset=UTF-8")], body: Data(xml.utf8))
    }

    func soapFault(code: String, exception: String, message: String, status: Int, loginFault: Bool) -> HTTPResponse {
        let detail = loginFault
            ? "<detail><sf:LoginFault xsi:type=\"sf:LoginFault\"><sf:exceptionCode>\(exception)</sf:exceptionCode>"
                + "<sf:exceptionMessage>\(message)</sf:exceptionMessage></sf:LoginFault></detail>"
            : ""
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
        xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>\
        <soapenv:Fault><faultcode>\(code)</faultcode><faultstring>\(exception): \(message)</faultstring>\(detail)\
        </soapenv:Fault></soapenv:Body></soapenv:Envelope>
        """
        return HTTPResponse(status: status, headers: [("Content-Type", "text/xml;charset=UTF-8")], body: Data(xml.utf8))
    }

    /// The text of the first element named `name` in any namespace (`<urn:name>`, `<name>`).
    static func xmlElement(_ name: String, in xml: String) -> String? {
        var search = xml[...]
        while let open = search.range(of: "<") {
            let afterOpen = search[open.upperBound...]
            guard let close = afterOpen.firstIndex(of: ">") else { return nil }
            let tag = afterOpen[..<close]
            let tagName = tag.split(separator: " ").first.map { $0.split(separator: ":").last ?? $0 } ?? ""
            if tagName == name && !tag.hasSuffix("/") {
                let contentStart = afterOpen.index(after: close)
                guard let end = afterOpen[contentStart...].range(of: "</") else { return nil }
                return xmlUnescape(String(afterOpen[contentStart..<end.lowerBound]))
            }
            search = afterOpen[afterOpen.index(after: close)...]
        }
        return nil
    }

    static func xmlEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&apos;")
    }

    static func xmlUnescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }

    // MARK: OAuth 2.0 username-password flow

    func oauthToken(_ request: HTTPRequest) -> HTTPResponse {
        func error(_ code: String, _ description: String) -> HTTPResponse {
            Self.json(400, ["error": .string(code), "error_description": .string(description)])
        }
        guard request.method == .post else { return error("invalid_request", "must use HTTP POST") }
        let form = Self.formFields(request.body)
        guard let grant = form["grant_type"] else { return error("unsupported_grant_type", "grant type not supported") }
        guard grant == "password" else { return error("unsupported_grant_type", "grant type not supported") }
        guard let app = configuration.connectedApps.first(where: { $0.consumerKey == form["client_id"] }) else {
            return error("invalid_client_id", "client identifier invalid")
        }
        guard app.consumerSecret == form["client_secret"] else {
            return error("invalid_client", "invalid client credentials")
        }
        guard let user = authenticate(username: form["username"] ?? "", password: form["password"] ?? "") else {
            return error("invalid_grant", "authentication failure")
        }
        let token = openSession(for: user)
        let issuedAt = String(Int64(Date().timeIntervalSince1970 * 1000))
        var rng = SystemRandomNumberGenerator()
        let signature = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }).base64EncodedString()
        let base = configuration.baseURL
        let body: JSONValue = [
            "access_token": .string(token),
            "instance_url": .string(base),
            "id": .string("\(base)/id/\(configuration.organizationID)/\(user.userID)"),
            "token_type": "Bearer",
            "issued_at": .string(issuedAt),
            "signature": .string(signature),
        ]
        return Self.json(200, body)
    }
}
