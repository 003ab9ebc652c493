import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM for a command that must stop at a clean point instead of dying
/// mid-write (`sync`, `watch`): the first signal cancels the work, which lands the transaction
/// in flight and returns; a second one ends the process at once with 128 + its number
/// (SQLite keeps the replica consistent either way).
enum Interruption {
    /// Runs `work` until it returns or a signal cancels it; returns what it returned and the
    /// signal that interrupted it, if one did. The signals stay trapped (ignored by default)
    /// for the rest of the process.
    static func run<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> (result: T?, signal: Int32?) {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let (interruptions, relay) = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingNewest(1))
        return await withTaskGroup(of: Void.self) { listener in
            listener.addTask {
                var interrupted = false
                for await signal in signals {
                    if interrupted { _exit(128 + signal.rawValue) }
                    interrupted = true
                    relay.yield(signal.rawValue)
                }
            }
            let outcome = await withTaskGroup(of: Event<T>.self) { group in
                group.addTask { .finished(await work()) }
                group.addTask {
                    for await signal in interruptions { return .signalled(signal) }
                    return .ended
                }
                var outcome: (result: T?, signal: Int32?) = (nil, nil)
                while let event = await group.next() {
                    switch event {
                    case .finished(let result):
                        outcome.result = result
                        group.cancelAll()
                    case .signalled(let signal):
                        outcome.signal = signal
                        group.cancelAll()
                    case .ended:
                        break
                    }
                }
                return outcome
            }
            relay.finish()
            listener.cancelAll()
            return outcome
        }
    }

    private enum Event<T: Sendable>: Sendable {
        case finished(T)
        case signalled(Int32)
        case ended
    }

    /// `SIGINT` or `SIGTERM`, as a message names the signal.
    static func name(_ signal: Int32) -> String {
        signal == SIGINT ? "SIGINT" : "SIGTERM"
    }
}
