import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT and SIGTERM into values a command awaits, so it can stop its work at a
/// clean point instead of dying mid-write. A second signal ends the process at once with
/// 128 + its number (SQLite keeps the replica consistent either way).
///
/// Keep the trap alive while its signals matter; the default actions stay replaced for the
/// process's life.
final class SignalTrap {
    /// The signals received, in order.
    let signals: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    /// Starts trapping `numbers`.
    init(_ numbers: [Int32]) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingNewest(4))
        let received = SignalCount()
        signals = stream
        sources = numbers.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if received.count.wrappingAdd(1, ordering: .relaxed).newValue > 1 { _exit(128 + number) }
                continuation.yield(number)
            }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}

/// How many trapped signals arrived.
private final class SignalCount: Sendable {
    let count = Atomic<Int>(0)
}
