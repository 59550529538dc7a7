import Foundation

/// Independent pieces of work on worker threads, their results handed back to the calling thread
/// as they finish.
///
/// Threads decide only where and when a piece runs, never what it computes: each piece is a pure
/// function of its index, so results do not depend on the number of workers. (Foundation threads,
/// outside any simulation; Swift concurrency has no place near the simulations.) Sweeps, uptime
/// studies and tests all hand out their runs through it.
public enum ParallelWork {
    /// Runs `body(0..<count)` on up to `jobs` threads; `deliver` sees each result on the calling
    /// thread. The first error (from a piece or from `deliver`) stops the hand-out of new pieces
    /// and is rethrown once the workers have stopped.
    public static func run<Output>(count: Int, jobs: Int, body: @escaping @Sendable (Int) throws -> Output,
                            deliver: (Int, Output) throws -> Void) throws {
        guard count > 0 else { return }
        let queue = ResultQueue<Output>(count: count)
        let workers = max(1, min(jobs, count))
        for _ in 0..<workers {
            let thread = Thread {
                while let index = queue.take() {
                    let outcome: Result<Output, any Error>
                    do { outcome = .success(try body(index)) } catch { outcome = .failure(error) }
                    queue.deliver(index, outcome)
                }
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
        var failure: (any Error)? = nil
        var received = 0
        while received < count, let (index, outcome) = queue.next() {
            received += 1
            do {
                switch outcome {
                case .success(let output): try deliver(index, output)
                case .failure(let error): throw error
                }
            } catch {
                failure = error
                queue.cancel()
                break
            }
        }
        queue.waitForWorkers(workers)
        if let failure { throw failure }
    }

    /// `body` over `0..<count` on up to `jobs` threads, results in index order.
    public static func map<Output>(count: Int, jobs: Int, _ body: @escaping @Sendable (Int) throws -> Output) throws -> [Output] {
        var results: [Output?] = Array(repeating: nil, count: count)
        try run(count: count, jobs: jobs, body: body) { index, output in results[index] = output }
        return results.map { $0! }
    }
}

/// Hands indices to workers and their results back to the calling thread.
private final class ResultQueue<Output>: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private var nextIndex = 0
    private var cancelled = false
    private var finished: [(Int, Result<Output, any Error>)] = []
    private var workersDone = 0

    init(count: Int) { self.count = count }

    func take() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        guard !cancelled, nextIndex < count else {
            workersDone += 1
            condition.broadcast()
            return nil
        }
        nextIndex += 1
        return nextIndex - 1
    }

    func deliver(_ index: Int, _ outcome: Result<Output, any Error>) {
        condition.lock()
        finished.append((index, outcome))
        condition.broadcast()
        condition.unlock()
    }

    func next() -> (Int, Result<Output, any Error>)? {
        condition.lock()
        defer { condition.unlock() }
        while finished.isEmpty {
            if cancelled { return nil }
            condition.wait()
        }
        return finished.removeFirst()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    func waitForWorkers(_ workers: Int) {
        condition.lock()
        while workersDone < workers { condition.wait() }
        condition.unlock()
    }
}
