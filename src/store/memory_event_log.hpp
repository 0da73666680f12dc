// The in-memory store's event log: the same zstd blocks the SQLite store
// writes (event_blocks.hpp), one per hub flush, kept in the order written.
// Kept as text, the log was two thirds of what a webhook kept in memory
// (about 1,260 of 1,980 bytes), and on a machine whose host backs guest
// memory only when it is first written, every kilobyte a webhook keeps costs
// it about 1.7 µs (docs/benchmarks.md). A flush's events share most of their
// text, and packed they take a small fraction of it; resume, the only
// reader, is rare. Not synchronized: the store's lock guards it.
#pragma once

#include "event_blocks.hpp"
#include "switchboard/store/store.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::store {

class memory_event_log {
public:
    // A block packed from a batch's events (on the caller's thread, before
    // the store's lock). A seq already kept is rewritten by this block.
    void put(packed_event_block block) { blocks_.push_back(std::move(block)); }

    // Up to `limit` events after `seq`, in order. The log has no gaps but
    // its pruned start, so these are the seqs from there on; a later block
    // wins a seq written twice. As the SQLite store reads its blocks.
    std::vector<event_record> after(std::uint64_t seq, std::size_t limit) const {
        if (blocks_.empty() || limit == 0) return {};
        if (auto first = bounds().first; first > 0) seq = std::max(seq, first - 1);
        auto upto = seq + std::min<std::uint64_t>(limit, UINT64_MAX - seq);
        event_window window(seq, upto);
        for (auto& b : blocks_)
            if (b.last_seq > seq && b.first_seq <= upto) window.add_block(b.body);
        return window.take(limit);
    }

    // The bytes the blocks' bodies take.
    std::size_t packed_bytes() const {
        std::size_t n = 0;
        for (auto& b : blocks_) n += b.body.size();
        return n;
    }

    std::pair<std::uint64_t, std::uint64_t> bounds() const {
        if (blocks_.empty()) return {0, 0};
        std::uint64_t first = UINT64_MAX, last = 0;
        for (auto& b : blocks_) first = std::min(first, b.first_seq), last = std::max(last, b.last_seq);
        return {first, last};
    }

    // Rewrites the events that carry r's record (store::async_rewrite_events):
    // the blocks from the newest down, as they were written, until one changes.
    void rewrite(const events::data_rewrite& r) {
        for (auto b = blocks_.rbegin(); b != blocks_.rend(); ++b)
            if (may_carry(b->first_at, b->last_at, r))
                if (auto now = rewritten_block(b->body, r)) {
                    *b = std::move(*now);
                    return;
                }
    }

    // Drops the events older than `t`: whole blocks, and the old part of a
    // block that straddles it (unpacked, cut, and packed again).
    void prune_before(timestamp t) {
        auto before = to_unix_ms(t);
        std::erase_if(blocks_, [&](const packed_event_block& b) { return b.last_at < before; });
        for (auto& b : blocks_)
            if (b.first_at < before) b = events_from(b.body, before);
    }

private:
    std::deque<packed_event_block> blocks_;  // in the order written
};

}  // namespace switchboard::store
