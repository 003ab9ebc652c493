import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How long a piece of work took: by the wall clock, and in CPU time (user + system, all the
/// process's threads). CPU time barely moves when other processes take the cores of a shared
/// machine, which wall-clock time does a lot, most of all for a process run under `nice`.
public struct Elapsed: Sendable {
    /// Wall-clock seconds, by the monotonic clock.
    public var wall: Double
    /// CPU seconds the process used meanwhile.
    public var cpu: Double

    /// Runs `body` and returns how long it took.
    public static func of(_ body: () async throws -> Void) async rethrows -> Elapsed {
        let cpuStart = processCPUSeconds
        let start = ContinuousClock.now
        try await body()
        let (whole, fraction) = (ContinuousClock.now - start).components
        return Elapsed(wall: Double(whole) + Double(fraction) / 1e18, cpu: processCPUSeconds - cpuStart)
    }

    /// CPU time (user + system, all threads) the process has used so far, in seconds.
    public static var processCPUSeconds: Double {
        let usage = processUsage
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The process's resource usage so far (`getrusage`, all threads).
    public static var processUsage: rusage {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return usage
    }
}
