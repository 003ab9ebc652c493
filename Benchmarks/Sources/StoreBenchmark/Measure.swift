import Foundation
import StoreWorkload

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Timing and memory helpers that print figures the benchmark script collects.
enum Measure {
    /// Runs `body` and returns its wall-clock duration in seconds.
    static func seconds(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        return (ContinuousClock.now - start).seconds
    }

    /// The process's peak resident memory so far, in MiB.
    static var peakResidentMiB: Double {
        let usage = Elapsed.processUsage
        #if os(Linux)
        return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
        #else
        return Double(usage.ru_maxrss) / 1_048_576  // bytes on macOS
        #endif
    }

    /// CPU time (user + system, all threads) the process has used so far, in seconds.
    ///
    /// Less sensitive than wall-clock time to other work on a shared machine: the import
    /// and the raw reference run in separate processes, at different moments.
    static var cpuSeconds: Double { Elapsed.processCPUSeconds }

    /// The value at quantile `q` (0…1) of `samples`, by the nearest-rank method.
    static func quantile(_ samples: [Double], _ q: Double) -> Double {
        guard !samples.isEmpty else { return .nan }
        let sorted = samples.sorted()
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// Prints one figure as `name value unit`, the line format the script parses.
    static func report(_ name: String, _ value: Double, _ unit: String) {
        print(String(format: "%@ %.3f %@", name, value, unit))
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
