// When stored messages were sent, in memory, by blocks of rows: for each
// run of `rows_per_block` consecutive rowids of the messages table, the
// earliest and the latest `at` among them. Exports, which page through
// messages by time, read from SQLite only the blocks that can hold a page.
//
// Until v11 the table had an index on (at, phone, seq) for them. Its entries
// appended, but an index b-tree splits its right edge into half-full pages
// (only rowid tables append in place), so it took 2.3 of a durable commit's
// ~8 WAL frames, and durable ingest ran 10–18% slower with it than without.
// Then an entry a message stood in for it here, 16 bytes each, a quarter of
// what a stored message held in memory. Rows append in commit order, and a
// message's `at` is the time its step ran, so a block's times are close
// together and a time range falls in few blocks: 16 bytes a block of 256
// rows do the same work.
#pragma once

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <vector>

namespace switchboard::store {

class message_time_blocks {
public:
    // Rowids come from SQLite, one past the largest: dense from 1, so a
    // block's place in the list is its first rowid / rows_per_block.
    explicit message_time_blocks(std::int64_t rows_per_block = 256) : rows_per_block_(rows_per_block) {}

    // Each stored message, at open and as its commit returns. A rewritten
    // message gives its row again, perhaps with another time: its block then
    // spans both, which costs a read and never a miss.
    void add(std::int64_t at_ms, std::int64_t row) {
        if (row < 0) return;
        auto k = static_cast<std::size_t>(row / rows_per_block_);
        std::lock_guard lock(mutex_);
        if (k >= blocks_.size()) blocks_.resize(k + 1);
        auto& b = blocks_[k];
        b.earliest = std::min(b.earliest, at_ms);
        b.latest = std::max(b.latest, at_ms);
    }

    // A block to read: rows first_row..last_row hold messages sent within
    // the asked range. `earliest_from_here` is the earliest time in this
    // block or any later one of the list: once a page is full with messages
    // before it, the rest of the list cannot add to the page.
    struct span {
        std::int64_t first_row;
        std::int64_t last_row;
        std::int64_t earliest_from_here;
    };

    // The blocks holding messages with from_ms <= at < to_ms, in row order.
    std::vector<span> between(std::int64_t from_ms, std::int64_t to_ms) const {
        std::vector<span> out;
        {
            std::lock_guard lock(mutex_);
            for (std::size_t k = 0; k < blocks_.size(); ++k) {
                auto& b = blocks_[k];
                if (b.latest < from_ms || b.earliest >= to_ms) continue;
                auto first = static_cast<std::int64_t>(k) * rows_per_block_;
                out.push_back({first, first + rows_per_block_ - 1, std::max(b.earliest, from_ms)});
            }
        }
        for (std::size_t i = out.size(); i-- > 1;)
            out[i - 1].earliest_from_here = std::min(out[i - 1].earliest_from_here, out[i].earliest_from_here);
        return out;
    }

private:
    struct block {
        std::int64_t earliest = INT64_MAX;  // none yet
        std::int64_t latest = INT64_MIN;
    };
    const std::int64_t rows_per_block_;
    mutable std::mutex mutex_;
    std::vector<block> blocks_;
};

}  // namespace switchboard::store
