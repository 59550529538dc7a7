/// The candidate closest to a misspelled `word`, for a "did you mean 'X'?" hint, or `nil` when no
/// candidate is close enough to be a plausible typo.
///
/// Closeness is the optimal-string-alignment distance (Damerau–Levenshtein restricted so that no
/// substring is edited twice: insertions, deletions, substitutions and swaps of two adjacent
/// characters each cost 1), compared case-insensitively, so `resetTimout`, `resteTimeout` and
/// `ResetTimeout` all suggest `resetTimeout`. A candidate qualifies when its distance is at most
/// a third of the longer word's length (at least 1, at most 3); among several, the nearest wins,
/// then the one listed first. An exact match is returned as is.
///
/// ```swift
/// didYouMean("failureTreshold", among: ["failureThreshold", "resetTimeout"])  // "failureThreshold"
/// didYouMean("colour", among: ["resetTimeout"])                                // nil
/// ```
///
/// - Complexity: O(*n* · *m* · *k*) for *k* candidates of length about *m* and a word of length *n*.
public func didYouMean(_ word: String, among candidates: [String]) -> String? {
    let target = Array(word.lowercased())
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
        let other = Array(candidate.lowercased())
        let allowed = min(3, max(1, max(target.count, other.count) / 3))
        guard abs(target.count - other.count) <= allowed else { continue }
        let distance = editDistance(target, other)
        guard distance <= allowed else { continue }
        if best == nil || distance < best!.distance {
            best = (candidate, distance)
        }
    }
    return best?.candidate
}

/// The optimal-string-alignment distance between two character arrays.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    // Three rows: two before the current one, for adjacent transpositions.
    var previousPrevious = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                value = min(value, previousPrevious[j - 2] + 1)
            }
            current[j] = value
        }
        (previousPrevious, previous, current) = (previous, current, previousPrevious)
    }
    return previous[b.count]
}
