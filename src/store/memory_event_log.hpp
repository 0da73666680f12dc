// The in-memory store's event log: the texts end to end in large blocks,
// found by seq. Kept one by one (a string and a shared_ptr block each, and
// each string's spare capacity), an event took about 40% more than its
// text, and in memory a webhook's cost grows with what it keeps
// (docs/benchmarks.md). Not synchronized: the store's lock guards it.
#pragma once

#include "seq_order.hpp"
#include "switchboard/store/store.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::store {

class memory_event_log {
public:
    // Events come in seq order; a seq already kept is replaced.
    void put(const event_record& e) {
        entry x{e.seq, e.at, 0, 0, static_cast<std::uint32_t>(e.json->size())};
        store_text(*e.json, x);
        put_in_seq_order(entries_, x);
    }

    // Up to `limit` events after `seq`, in order.
    std::vector<event_record> after(std::uint64_t seq, std::size_t limit) const {
        std::vector<event_record> out;
        for (auto it = seq_upper_bound(entries_, seq); it != entries_.end() && out.size() < limit; ++it)
            out.push_back({it->seq, it->at, std::make_shared<const std::string>(text_of(*it))});
        return out;
    }

    std::pair<std::uint64_t, std::uint64_t> bounds() const {
        if (entries_.empty()) return {0, 0};
        return {entries_.front().seq, entries_.back().seq};
    }

    // Drops the events older than `t`, and the blocks no event is in any more.
    void prune_before(timestamp t) {
        std::erase_if(entries_, [&](const entry& x) { return x.at < t; });
        auto oldest_used = first_block_ + blocks_.size();
        for (auto& x : entries_) oldest_used = std::min(oldest_used, x.block);
        while (first_block_ < oldest_used && !blocks_.empty()) {
            blocks_.pop_front();
            ++first_block_;
        }
    }

private:
    struct entry {
        std::uint64_t seq;
        timestamp at;
        std::size_t block;  // counted from the first block ever made
        std::uint32_t offset, size;
    };
    static constexpr std::size_t block_size = std::size_t{1} << 20;

    void store_text(std::string_view text, entry& x) {
        if (blocks_.empty() || blocks_.back().size() + text.size() > blocks_.back().capacity()) {
            // Only what is written becomes resident: a block costs as it fills.
            blocks_.emplace_back().reserve(std::max(block_size, text.size()));
        }
        auto& block = blocks_.back();
        x.block = first_block_ + blocks_.size() - 1;
        x.offset = static_cast<std::uint32_t>(block.size());
        block.append(text);
    }

    std::string_view text_of(const entry& x) const {
        return std::string_view(blocks_[x.block - first_block_]).substr(x.offset, x.size);
    }

    std::deque<entry> entries_;        // in seq order
    std::deque<std::string> blocks_;   // blocks_[i] is block number first_block_ + i
    std::size_t first_block_ = 0;
};

}  // namespace switchboard::store
