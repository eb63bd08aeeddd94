/// Constants and small rules shared by every Salesforce client in this package.
public enum SalesforceDefaults {
    /// The API version used when none is configured: `64.0`.
    ///
    /// 64.0 is current, supports everything the streaming client needs (durable streaming
    /// needs 37.0 or later; server-sent `/meta/disconnect` arrives from 64.0), and it is the
    /// last version in which the SOAP partner `login()` call exists. Choosing it lets SOAP and
    /// OAuth logins use the same version. Versions 31.0–40.0 (nameko-salesforce defaulted to
    /// 37.0) are retired in Summer '28.
    public static let defaultAPIVersion = "64.0"

    /// The last API version that offers the SOAP `login()` call (retired in Summer '27).
    /// ``SOAPLogin`` never calls a higher version, whatever version the rest of the client uses.
    public static let lastSOAPLoginAPIVersion = "64.0"

    /// The login host for production orgs and Developer Edition.
    public static let productionLoginURL = "https://login.salesforce.com"

    /// The login host for sandboxes.
    public static let sandboxLoginURL = "https://test.salesforce.com"

    /// The base URL a login request goes to.
    ///
    /// An explicit `loginURL` (a My Domain URL such as `https://acme.my.salesforce.com`, or a
    /// local simulator such as `http://127.0.0.1:8080`) wins; otherwise `sandbox` chooses
    /// between ``sandboxLoginURL`` and ``productionLoginURL``. A trailing `/` is removed.
    public static func loginURL(sandbox: Bool = false, explicit loginURL: String? = nil) -> String {
        if let loginURL, !loginURL.isEmpty {
            var url = loginURL
            while url.hasSuffix("/") { url.removeLast() }
            return url
        }
        return sandbox ? sandboxLoginURL : productionLoginURL
    }

    /// The version to use for a SOAP `login()` call: `min(apiVersion, 64.0)`.
    /// A version that is not a number (such as `"64.0"`) is replaced by 64.0.
    static func soapLoginVersion(for apiVersion: String) -> String {
        guard let requested = Double(apiVersion), let last = Double(lastSOAPLoginAPIVersion),
              requested < last else { return lastSOAPLoginAPIVersion }
        return apiVersion
    }
}
