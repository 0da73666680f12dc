// Sequences of entries kept in seq order (anything with a `seq` member, in a
// vector or a deque), for the stores' in-memory lists: nearly every entry
// comes after the last one, and a seq given again replaces its entry.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>

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

// Puts `x` in its place by seq, replacing an entry with the same seq.
template <class Entries, class Entry>
void put_in_seq_order(Entries& entries, const Entry& x) {
    if (entries.empty() || entries.back().seq < x.seq) {
        entries.push_back(x);
        return;
    }
    auto at = seq_lower_bound(entries, x.seq);
    if (at != entries.end() && at->seq == x.seq)
        *at = x;
    else
        entries.insert(at, x);
}

}  // namespace switchboard::store
