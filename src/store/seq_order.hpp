// Sequences of entries kept in order (by a `seq` member, or by any order),
// in a vector or a deque, for the stores' in-memory lists: nearly every
// entry comes after the last one, and one given again replaces its twin.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <utility>

namespace switchboard::store {

// The first entry whose seq is not below `seq`.
template <class Entries>
auto seq_lower_bound(Entries& entries, std::uint64_t seq) {
    return std::lower_bound(std::begin(entries), std::end(entries), seq,
                            [](const auto& e, std::uint64_t s) { return e.seq < s; });
}

// The first entry whose seq is above `seq`.
template <class Entries>
auto seq_upper_bound(Entries& entries, std::uint64_t seq) {
    return std::upper_bound(std::begin(entries), std::end(entries), seq,
                            [](std::uint64_t s, const auto& e) { return s < e.seq; });
}

// Puts `x` in its place by `less`, replacing an entry equal to it.
template <class Entries, class Entry, class Less>
void put_in_order(Entries& entries, Entry&& x, Less less) {
    if (entries.empty() || less(entries.back(), x)) {
        entries.push_back(std::forward<Entry>(x));
        return;
    }
    auto at = std::lower_bound(std::begin(entries), std::end(entries), x, less);
    if (at != entries.end() && !less(x, *at))
        *at = std::forward<Entry>(x);
    else
        entries.insert(at, std::forward<Entry>(x));
}

// Puts `x` in its place by seq, replacing an entry with the same seq.
template <class Entries, class Entry>
void put_in_seq_order(Entries& entries, Entry&& x) {
    put_in_order(entries, std::forward<Entry>(x), [](const auto& a, const auto& b) { return a.seq < b.seq; });
}

}  // namespace switchboard::store
