import HTTPTransport

/// What the simulated org does with one HTTP request.
public enum SimulatorReply: Sendable {
    /// Answer with this response.
    case response(HTTPResponse)
    /// Close the connection mid-transfer, without a complete response.
    case drop
}
