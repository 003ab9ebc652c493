import Foundation
import StoreWorkload

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Timing, CPU and memory readings, printed as `name value unit` lines the script collects.
enum Measure {
    /// Runs `body` and returns its result and wall-clock duration in seconds.
    static func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
        let start = ContinuousClock.now
        let value = try await body()
        return (value, (ContinuousClock.now - start).seconds)
    }

    /// The process's peak resident set (`VmHWM` in `/proc/self/status`), in MiB; `nan` where
    /// the file does not exist.
    static var peakResidentMiB: Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) }
            return (kilobytes ?? .nan) / 1024
        }
        return .nan
    }

    /// CPU time (user + system, all threads) this process has used so far, in seconds.
    static var cpuSeconds: Double { Elapsed.processCPUSeconds }

    /// CPU time (user + system) another process has used so far, in seconds, from
    /// `/proc/PID/stat`; `nan` when it cannot be read. The emulator runs in its own process so
    /// that the sync's memory is its own; this shows how much of a run was the server's work.
    static func cpuSeconds(ofProcess pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return .nan }
        // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The value at quantile `q` (0…1) of `samples`, by the nearest-rank method.
    static func quantile(_ samples: [Double], _ q: Double) -> Double {
        guard !samples.isEmpty else { return .nan }
        let sorted = samples.sorted()
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// Prints one figure as `name value unit`, the line format the script parses.
    static func report(_ name: String, _ value: Double, _ unit: String) {
        line(String(format: "%@ %.3f %@", name, value, unit))
    }

    /// Writes one line to standard output at once (unbuffered: the script waits for some lines).
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}

/// CPU used by this process and by the emulator's process over one measured stretch.
struct CPUSpan {
    private let serverPID: Int32?
    private let clientStart = Measure.cpuSeconds
    private let serverStart: Double

    /// Starts counting; `serverPID` is the emulator's process, when known.
    init(serverPID: Int32?) {
        self.serverPID = serverPID
        serverStart = serverPID.map(Measure.cpuSeconds(ofProcess:)) ?? .nan
    }

    /// Prints `<prefix>.client_cpu_s` and `<prefix>.server_cpu_s`.
    func report(_ prefix: String) {
        Measure.report("\(prefix).client_cpu_s", Measure.cpuSeconds - clientStart, "s")
        if let serverPID {
            Measure.report("\(prefix).server_cpu_s", Measure.cpuSeconds(ofProcess: serverPID) - serverStart, "s")
        }
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
