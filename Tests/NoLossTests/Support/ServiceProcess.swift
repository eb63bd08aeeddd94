import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `loss-check-service` executable run as a child process, restarted as often as the test
/// wants; all its output goes to one log file (a pipe nobody reads could fill and block it).
actor ServiceProcess {
    private let executable: URL
    private let arguments: [String]
    private let environment: [String: String]
    let logFile: URL
    private let log: FileHandle
    private var process: Process?
    private(set) var starts = 0
    /// Exits the test did not cause, with their status.
    private(set) var unexpectedExits: [String] = []

    init(executable: URL, arguments: [String], environment: [String: String], logFile: URL) throws {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.logFile = logFile
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        log = try FileHandle(forWritingTo: logFile)
    }

    func start() throws {
        starts += 1
        note("=== loss-check-service start #\(starts) ===")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    /// SIGKILL, then waits until the process is gone.
    func sigkill() async throws {
        guard let process else { return }
        note("=== SIGKILL by the test ===")
        if process.isRunning { _ = kill(process.processIdentifier, SIGKILL) }
        try await waitForExit(process, timeout: .seconds(10))
        self.process = nil
    }

    /// SIGTERM (graceful stop), then SIGKILL if it has not exited in `timeout`.
    /// - Returns: the exit status, or nil if it had to be killed.
    @discardableResult
    func stop(timeout: Duration = .seconds(20)) async -> Int32? {
        guard let process else { return nil }
        note("=== SIGTERM by the test ===")
        self.process = nil
        if process.isRunning { process.terminate() }
        do {
            try await waitForExit(process, timeout: timeout)
            return process.terminationStatus
        } catch {
            _ = kill(process.processIdentifier, SIGKILL)
            try? await waitForExit(process, timeout: .seconds(10))
            return nil
        }
    }

    /// Restarts the process if it exited without the test asking; records that.
    func restartIfExited() throws {
        guard let process, !process.isRunning else { return }
        let status = "\(process.terminationReason == .exit ? "exit" : "signal") \(process.terminationStatus)"
        unexpectedExits.append(status)
        note("=== exited unexpectedly (\(status)); the test restarts it ===")
        try start()
    }

    private func waitForExit(_ process: Process, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw NoLossTestError("loss-check-service did not exit within \(timeout)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Writes a marker line into the log.
    func note(_ line: String) {
        log.write(Data("\(line)\n".utf8))
    }

    /// The last `count` lines of the log.
    func tail(_ count: Int) -> String {
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(count).joined(separator: "\n")
    }
}
