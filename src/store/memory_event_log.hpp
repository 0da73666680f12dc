// The in-memory store's event log: the same zstd blocks the SQLite store
// writes (event_blocks.hpp), one per hub flush, kept in the order written.
// Kept as text, the log was two thirds of what a webhook kept in memory
// (about 1,260 of 1,980 bytes), and on a machine whose host backs guest
// memory only when it is first written, every kilobyte a webhook keeps costs
// it about 1.7 µs (docs/benchmarks.md). A flush's events share most of their
// text, and packed they take a small fraction of it; resume, the only
// reader, is rare. Not synchronized: the store's lock guards it.
#pragma once

#include "erasure_sweep.hpp"
#include "event_blocks.hpp"
#include "switchboard/events/event.hpp"

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
    // the store's lock). A seq already kept is rewritten by this block. With
    // it, a part of the erasures' sweep, if there are any.
    void put(packed_event_block block) {
        blocks_.push_back({++last_id_, std::move(block)});
        erase_a_part();
    }

    // Up to `limit` events after `seq`, in order. The log has no gaps but
    // its pruned start, so these are the seqs from there on; a later block
    // wins a seq written twice. As the SQLite store reads its blocks.
    std::vector<event_record> after(std::uint64_t seq, std::size_t limit) const {
        if (blocks_.empty() || limit == 0) return {};
        if (auto first = bounds().first; first > 0) seq = std::max(seq, first - 1);
        auto upto = seq + std::min<std::uint64_t>(limit, UINT64_MAX - seq);
        event_window window(seq, upto);
        for (auto& [_, b] : blocks_)
            if (b.last_seq > seq && b.first_seq <= upto) window.add_block(b.body);
        auto events = window.take(limit);
        if (sweep_.busy()) {
            events::envelope_eraser erasing;
            for (auto& j : sweep_.jobs()) erasing.add(j.erased);
            hide_erased(events, erasing);
        }
        return events;
    }

    // The bytes the blocks' bodies take.
    std::size_t packed_bytes() const {
        std::size_t n = 0;
        for (auto& [_, b] : blocks_) n += b.body.size();
        return n;
    }

    std::pair<std::uint64_t, std::uint64_t> bounds() const {
        if (blocks_.empty()) return {0, 0};
        std::uint64_t first = UINT64_MAX, last = 0;
        for (auto& [_, b] : blocks_) first = std::min(first, b.first_seq), last = std::max(last, b.last_seq);
        return {first, last};
    }

    // Rewrites the events that carry r's record (store::async_rewrite_events):
    // the blocks from the newest down, as they were written, until one changes.
    void rewrite(const events::data_rewrite& r) {
        for (auto b = blocks_.rbegin(); b != blocks_.rend(); ++b)
            if (may_carry(b->block.first_at, b->block.last_at, r))
                if (auto now = rewritten_block(b->block.body, r)) {
                    replace(b->block, std::move(*now));
                    return;
                }
    }

    // Makes placeholders of an erased conversation's events
    // (store::async_erase_events): at once to reads, and in the blocks by
    // the sweep the erasures share, a part now and one with each block put.
    void erase(const events::erased_conversation& e) {
        sweep_.add({++last_job_, e, 0, last_id_, false});
        erase_a_part();
    }

    // Drops the events older than `t`: whole blocks, and the old part of a
    // block that straddles it (unpacked, cut, and packed again).
    void prune_before(timestamp t) {
        auto before = to_unix_ms(t);
        std::erase_if(blocks_, [&](const kept_block& b) { return b.block.last_at < before; });
        for (auto& [_, b] : blocks_)
            if (b.first_at < before) replace(b, events_from(b.body, before));
    }

private:
    struct kept_block {
        std::int64_t id;  // in the order written, from 1
        packed_event_block block;
    };

    void erase_a_part() {
        if (!sweep_.busy()) return;
        auto b = std::upper_bound(blocks_.begin(), blocks_.end(), sweep_.after(),
                                  [](std::int64_t id, const kept_block& k) { return id < k.id; });
        auto read_to = sweep_.after();
        std::size_t bytes = 0;
        for (int n = 0; n < erasure_sweep::blocks_a_part && bytes < erasure_sweep::bytes_a_part; ++n, ++b) {
            if (b == blocks_.end() || b->id > sweep_.upto()) {
                sweep_.read_to(read_to, true);
                return;
            }
            if (auto eraser = sweep_.eraser_for(b->id, b->block.conversations); !eraser.empty()) {
                if (auto now = erased_block(b->block.body, eraser)) replace(b->block, std::move(*now));
                bytes += b->block.body.size();
            }
            read_to = b->id;
        }
        sweep_.read_to(read_to, false);
    }

    // A block rewritten keeps its filter: it holds fewer conversations now, never more.
    static void replace(packed_event_block& kept, packed_event_block now) {
        now.conversations = kept.conversations;
        kept = std::move(now);
    }

    std::deque<kept_block> blocks_;  // in the order written
    std::int64_t last_id_ = 0, last_job_ = 0;
    erasure_sweep sweep_;
};

}  // namespace switchboard::store
