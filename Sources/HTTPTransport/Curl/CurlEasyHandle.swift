import CCurl
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A libcurl easy handle and its error buffer. A plain value: the engine thread owns it and
/// must call ``destroy()`` exactly once.
struct CurlEasyHandle {
    let handle: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    func destroy() {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// libcurl's detailed message for the last failure, if any.
    var errorDetail: String? {
        errorBuffer[0] == 0 ? nil : String(cString: errorBuffer)
    }

    var responseCode: Int {
        var code = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// Resets the handle and sets every option for `transfer`'s request.
    ///
    /// - Throws: ``HTTPClientError/other(_:)`` if libcurl rejects an option.
    func prepare(for transfer: CurlTransfer, configuration: CurlHTTPClient.Configuration,
                 share: UnsafeMutableRawPointer?) throws(HTTPClientError) {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        let request = transfer.request
        let context = Unmanaged.passUnretained(transfer).toOpaque()

        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try check(ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_PRIVATE, context))
        try check(ccurl_easy_setopt_string(handle, CURLOPT_URL, request.url))
        try check(ccurl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        try check(ccurl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))

        // Time limits: the whole exchange, and the connect phase.
        try check(ccurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.timeout.curlMilliseconds))
        try check(ccurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS,
                                         configuration.connectTimeout.curlMilliseconds))

        // Socket: no Nagle delay on small keep-alive requests; TCP keep-alive probes on
        // long polls.
        try check(ccurl_easy_setopt_long(handle, CURLOPT_TCP_NODELAY, 1))
        try check(ccurl_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))

        // TLS: always verify the peer and its host name.
        try check(ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        try check(ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        if let caBundlePath = configuration.caBundlePath {
            try check(ccurl_easy_setopt_string(handle, CURLOPT_CAINFO, caBundlePath))
        }

        // Share handle: TLS sessions always; cookies when enabled (the empty cookie file
        // turns the cookie engine on without reading a file).
        if let share {
            try check(ccurl_easy_setopt_share(handle, CURLOPT_SHARE, share))
        }
        if configuration.cookies {
            try check(ccurl_easy_setopt_string(handle, CURLOPT_COOKIEFILE, ""))
        }

        // Response: body and header lines go to the transfer.
        try check(ccurl_easy_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            let length = size * count
            guard let data, let context, length > 0 else { return length }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            transfer.appendBody(UnsafeRawBufferPointer(start: data, count: length))
            return length
        })
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        try check(ccurl_easy_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            let length = size * count
            guard let data, let context, length > 0 else { return length }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            transfer.responseHeaders.consume(UnsafeRawBufferPointer(start: data, count: length))
            return length
        })
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context))

        // Method and body.
        let sendsBody = request.body != nil || request.method == .post || request.method == .put
            || request.method == .patch
        if sendsBody {
            let body = request.body ?? Data()
            try check(ccurl_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            if body.isEmpty {
                try check(ccurl_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""))
            } else {
                let code = body.withUnsafeBytes { bytes in
                    ccurl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS,
                                              UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                }
                try check(code)
            }
        }
        let impliedMethod: HTTPMethod = sendsBody ? .post : .get
        if request.method != impliedMethod {
            try check(ccurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue))
        }

        // Request headers, exactly as given: no `Expect: 100-continue`, and no default
        // form Content-Type on bodies the caller did not label.
        var list: UnsafeMutablePointer<curl_slist>?
        do {
            var hasExpect = false, hasContentType = false
            for field in request.headers {
                if HeaderName.matches(field.name, "Expect") { hasExpect = true }
                if HeaderName.matches(field.name, "Content-Type") { hasContentType = true }
                // libcurl syntax: "Name;" sends a field with an empty value ("Name:" removes it).
                list = try append(list, field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
            }
            if !hasExpect { list = try append(list, "Expect:") }
            if sendsBody, !hasContentType { list = try append(list, "Content-Type:") }
        } catch {
            curl_slist_free_all(list)
            throw error
        }
        transfer.requestHeaders = list  // freed by the engine when the transfer leaves it
        try check(ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list))
    }

    private func append(_ list: UnsafeMutablePointer<curl_slist>?,
                        _ line: String) throws(HTTPClientError) -> UnsafeMutablePointer<curl_slist> {
        guard let appended = curl_slist_append(list, line) else {
            throw HTTPClientError.other("out of memory building request headers")
        }
        return appended
    }

    private func check(_ code: CURLcode) throws(HTTPClientError) {
        guard code == CURLE_OK else {
            throw HTTPClientError.other("libcurl rejected an option: " + String(cString: curl_easy_strerror(code)))
        }
    }
}
