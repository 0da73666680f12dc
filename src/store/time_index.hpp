// When each stored message was sent, in memory: (at, row) in time order, for
// exports, which page through messages by time.
//
// Until v11 the table had an index on (at, phone, seq) for them. Its entries
// appended, but an index b-tree splits its right edge into half-full pages
// (only rowid tables append in place), so it took 2.3 of a durable commit's
// ~8 WAL frames, and durable ingest ran 10–18% slower with it than without.
// Exports are rare and read a page at a time; this costs 16 bytes a message
// and none of the commit.
#pragma once

#include "seq_order.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <tuple>
#include <vector>

namespace switchboard::store {

class message_time_index {
public:
    struct entry {
        std::int64_t at_ms;
        std::int64_t row;
        friend bool operator<(const entry& a, const entry& b) {
            return std::tie(a.at_ms, a.row) < std::tie(b.at_ms, b.row);
        }
    };

    // At open: every stored message in any order (rows migrated from before
    // v6 went in (phone, seq) order), then `loaded` sorts them once.
    void load(std::int64_t at_ms, std::int64_t row) {
        std::lock_guard lock(mutex_);
        entries_.push_back({at_ms, row});
    }
    void loaded() {
        std::lock_guard lock(mutex_);
        std::sort(entries_.begin(), entries_.end());
    }

    // Each message as its commit returns, nearly always the latest. A
    // rewritten message gives its row again: kept once. Should its time have
    // changed, the old entry stays, and readers skip it (its row's time no
    // longer matches), which keeps this free of lookups by row.
    void add(std::int64_t at_ms, std::int64_t row) {
        std::lock_guard lock(mutex_);
        put_in_order(entries_, entry{at_ms, row}, std::less<>{});
    }

    // Entries with from_ms <= at < to_ms, oldest first: the first `limit`
    // and then the rest of the last one's millisecond, so that a caller can
    // put whole milliseconds in (at, phone, seq) order.
    std::vector<entry> from(std::int64_t from_ms, std::int64_t to_ms, std::size_t limit) const {
        std::vector<entry> out;
        std::lock_guard lock(mutex_);
        auto it = std::lower_bound(entries_.begin(), entries_.end(), entry{from_ms, INT64_MIN});
        for (; it != entries_.end() && it->at_ms < to_ms; ++it) {
            if (!out.empty() && out.size() >= limit && it->at_ms != out.back().at_ms) break;
            out.push_back(*it);
        }
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::deque<entry> entries_;  // a deque: no copy of the whole as it grows
};

}  // namespace switchboard::store
