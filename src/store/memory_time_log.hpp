// When the in-memory store's messages were sent, in the order they were
// stored: one 16-byte entry a message, in blocks of 256 with the earliest and
// latest time among them, as the SQLite store keeps blocks of rows
// (time_index.hpp). A message's time is its step's, and steps are stored
// as they run, so a block's times are close together and an export page
// reads the few blocks that can hold it. Reading every message in the range
// for each page made an export's time grow with the square of its size: 25 s
// for 500,000 messages.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <deque>
#include <vector>

namespace switchboard::store {

class memory_time_log {
public:
    struct entry {
        std::int64_t at;  // the message's timestamp, in its clock's own ticks: exact
        std::uint32_t conversation;  // the shard's number for its conversation
        std::uint32_t seq;
    };

    void add(entry e) {
        if (entries_.size() % per_block == 0) blocks_.push_back({e.at, e.at});
        auto& b = blocks_.back();
        b.earliest = std::min(b.earliest, e.at);
        b.latest = std::max(b.latest, e.at);
        entries_.push_back(e);
    }

    // Each entry with from <= at < to, block by block in the order stored.
    // A block whose earliest is past `wanted_until()` is passed over: once a
    // page is full, nothing later than its last can get in.
    template <class WantedUntil, class Visit>
    void visit_between(std::int64_t from, std::int64_t to, WantedUntil wanted_until, Visit visit) const {
        for (std::size_t k = 0; k < blocks_.size(); ++k) {
            auto& b = blocks_[k];
            if (b.latest < from || b.earliest >= to || b.earliest > wanted_until()) continue;
            auto first = entries_.begin() + static_cast<std::ptrdiff_t>(k * per_block);
            auto last = entries_.begin() + static_cast<std::ptrdiff_t>(std::min(entries_.size(), (k + 1) * per_block));
            for (auto e = first; e != last; ++e)
                if (e->at >= from && e->at < to) visit(*e);
        }
    }

private:
    static constexpr std::size_t per_block = 256;
    struct block {
        std::int64_t earliest;
        std::int64_t latest;
    };
    std::deque<entry> entries_;  // grows without copying what it holds, under a shard's lock
    std::vector<block> blocks_;
};

}  // namespace switchboard::store
