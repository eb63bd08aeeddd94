/// Replies in Salesforce's real wire formats.
enum Fixtures {
    static let soapLoginSuccess = """
        <?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
        xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>\
        <loginResponse><result><metadataServerUrl>https://acme.my.salesforce.com/services/Soap/m/64.0/00D5g000004ABCD</metadataServerUrl>\
        <passwordExpired>false</passwordExpired><sandbox>false</sandbox>\
        <serverUrl>https://acme.my.salesforce.com/services/Soap/u/64.0/00D5g000004ABCD</serverUrl>\
        <sessionId>00D5g000004ABCD!AQ0AQSecretSessionToken</sessionId><userId>0055g00000ABCDEAA4</userId>\
        <userInfo><accessibilityMode>false</accessibilityMode><currencySymbol>$</currencySymbol>\
        <orgDefaultCurrencyIsoCode>USD</orgDefaultCurrencyIsoCode><organizationId>00D5g000004ABCDEAU</organizationId>\
        <organizationName>Acme &amp; Co</organizationName><userEmail>ops@example.com</userEmail>\
        <userFullName>Ops User</userFullName><userId>0055g00000ABCDEAA4</userId>\
        <userName>o'brien@example.com</userName></userInfo></result></loginResponse></soapenv:Body></soapenv:Envelope>
        """

    static func soapFault(_ code: String, _ message: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
        xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\
        <soapenv:Body><soapenv:Fault><faultcode>sf:\(code)</faultcode><faultstring>\(code): \(message)</faultstring>\
        <detail><sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>\(code)</sf:exceptionCode>\
        <sf:exceptionMessage>\(message)</sf:exceptionMessage></sf:LoginFault></detail></soapenv:Fault>\
        </soapenv:Body></soapenv:Envelope>
        """
    }

    static let oauthSuccess = """
        {"access_token":"00D5g000004ABCD!AROAQOAuthSecretToken","instance_url":"https://acme.my.salesforce.com",\
        "id":"https://login.salesforce.com/id/00D5g000004ABCDEAU/0055g00000ABCDEAA4","token_type":"Bearer",\
        "issued_at":"1764400000000","signature":"0CmxinZir53Yex7nE0TD+zMpvIWYGb/bdJh6XfOH6EQ="}
        """
}
