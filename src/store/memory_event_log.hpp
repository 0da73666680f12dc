// The in-memory store's event log: the texts in a text_arena, found by seq.
// Kept one by one (a string and a shared_ptr block each, and each string's
// spare capacity), an event took about 40% more than its text. Not
// synchronized: the store's lock guards it.
#pragma once

#include "seq_order.hpp"
#include "text_arena.hpp"
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
    // Events come in seq order; a seq already kept is replaced.
    void put(const event_record& e) { put_in_seq_order(entries_, entry{e.seq, e.at, texts_.append(*e.json)}); }

    // Up to `limit` events after `seq`, in order.
    std::vector<event_record> after(std::uint64_t seq, std::size_t limit) const {
        std::vector<event_record> out;
        for (auto it = seq_upper_bound(entries_, seq); it != entries_.end() && out.size() < limit; ++it)
            out.push_back({it->seq, it->at, std::make_shared<const std::string>(texts_.view(it->text))});
        return out;
    }

    std::pair<std::uint64_t, std::uint64_t> bounds() const {
        if (entries_.empty()) return {0, 0};
        return {entries_.front().seq, entries_.back().seq};
    }

    // Drops the events older than `t`, and the blocks no event is in any more.
    void prune_before(timestamp t) {
        std::erase_if(entries_, [&](const entry& x) { return x.at < t; });
        auto oldest_used = texts_.end_block();
        for (auto& x : entries_) oldest_used = std::min(oldest_used, x.text.block);
        texts_.drop_before(oldest_used);
    }

private:
    struct entry {
        std::uint64_t seq;
        timestamp at;
        text_arena::location text;
    };

    std::deque<entry> entries_;  // in seq order
    text_arena texts_;
};

}  // namespace switchboard::store
