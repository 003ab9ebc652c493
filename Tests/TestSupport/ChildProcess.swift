import Foundation
import Synchronization

/// Starts child processes one at a time, whichever test target asks.
///
/// Every test target runs in one process, in parallel, and Foundation's `Process.run()` on
/// Linux is not safe to call from several threads at once: concurrent launches have crashed the
/// test process inside `run()` (a bad pointer in its copy of the launch arguments) and lost
/// track of children, so that a test waited for a process that had long exited. Launching is
/// quick; waiting for the children stays concurrent.
public enum ChildProcess {
    private static let launching = Mutex(())

    /// Runs `process`, after any other launch in this test process has returned.
    public static func launch(_ process: Process) throws {
        try launching.withLock { _ in try process.run() }
    }
}
