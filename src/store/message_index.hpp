// Where each stored message is, in memory: (phone, seq) → its row.
//
// Messages are a rowid table whose rows append (schema v6), and since v8 it
// has no (phone, seq) index of its own: that index took one random leaf per
// durable webhook (every webhook comes from some other user), and each such
// page cost a 4 KB WAL frame and its checkpoint. This map answers the same
// questions: a conversation's rows in seq order, and which of them the user
// wrote. The store fills it from the table at start and adds each message
// once its commit has returned, so a row found here is there to read, but
// for a conversation erased a moment ago (forgotten here once its deletion
// commits): readers check that the row they read is the message they asked
// for.
#pragma once

#include "../core/adaptive_mutex.hpp"
#include "../core/string_map.hpp"
#include "seq_order.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

namespace switchboard::store {

// A stored message's place, as the index hands it out.
struct message_place {
    std::uint64_t seq : 63;
    // The user wrote it. Unread counts, on start-up and when an agent
    // reads, are counts of these; reading each row's sender instead was
    // one SQLite lookup a message, most of a large database's start.
    std::uint64_t from_user : 1;
    std::int64_t row;
};

// One conversation's rows. A conversation's seqs count up from 1 with no
// gaps (a step that fails to write gives its seqs again), so a row is kept
// at its seq's place in a vector, the seq implied: 8 bytes a message, where
// (seq, row) pairs took 16. A seq far from the others, which only a
// database edited by hand could hold, turns the list into such pairs, for
// good.
class conversation_rows {
public:
    // A seq given twice takes the new row.
    void add(message_place p) {
        if (!sparse_.empty() || !fits_a_slot(p) || !add_dense(p)) add_sparse(p);
    }

    std::optional<std::int64_t> find(std::uint64_t seq) const {
        if (!sparse_.empty()) {
            auto at = seq_lower_bound(sparse_, seq);
            if (at != sparse_.end() && at->seq == seq) return at->row;
            return std::nullopt;
        }
        if (seq < first_seq_ || seq - first_seq_ >= slots_.size() || slots_[seq - first_seq_] == 0) return std::nullopt;
        return row_of(slots_[seq - first_seq_]);
    }

    // The last `limit` messages with seq < `before`, oldest first.
    std::vector<message_place> before(std::uint64_t before, std::size_t limit) const {
        std::vector<message_place> out;
        if (!sparse_.empty()) {
            auto end = seq_lower_bound(sparse_, before);
            auto begin = end - static_cast<std::ptrdiff_t>(std::min<std::size_t>(limit, end - sparse_.begin()));
            out.assign(begin, end);
            return out;
        }
        for (auto i = end_of_seqs_below(before); i-- > 0 && out.size() < limit;)
            if (slots_[i]) out.push_back(place_of(i));
        std::reverse(out.begin(), out.end());
        return out;
    }

    // How many messages with seq > `after` the user wrote.
    std::uint32_t user_messages_after(std::uint64_t after) const {
        std::uint32_t users = 0;
        if (!sparse_.empty()) {
            for (auto it = seq_upper_bound(sparse_, after); it != sparse_.end(); ++it) users += it->from_user;
            return users;
        }
        for (auto i = after == UINT64_MAX ? slots_.size() : end_of_seqs_below(after + 1); i < slots_.size(); ++i)
            users += slots_[i] & 1;
        return users;
    }

    // The newest message with seq < `before` that the user wrote.
    std::optional<message_place> last_from_user(std::uint64_t before) const {
        if (!sparse_.empty()) {
            for (auto it = seq_lower_bound(sparse_, before); it != sparse_.begin();)
                if ((--it)->from_user) return *it;
            return std::nullopt;
        }
        for (auto i = end_of_seqs_below(before); i-- > 0;)
            if (slots_[i] & 1) return place_of(i);
        return std::nullopt;
    }

    std::optional<message_place> last() const {
        if (!sparse_.empty()) return sparse_.back();
        if (slots_.empty()) return std::nullopt;
        return place_of(slots_.size() - 1);  // the last slot is always filled
    }

private:
    // A far seq would cost 8 bytes for every seq between it and the rest.
    static constexpr std::uint64_t max_gap = 1024;

    static bool fits_a_slot(const message_place& p) { return p.row > 0 && p.row < (std::int64_t{1} << 62); }
    static std::uint64_t slot_of(const message_place& p) {
        return static_cast<std::uint64_t>(p.row) << 1 | p.from_user;
    }
    static std::int64_t row_of(std::uint64_t slot) { return static_cast<std::int64_t>(slot >> 1); }
    message_place place_of(std::size_t i) const { return {first_seq_ + i, slots_[i] & 1, row_of(slots_[i])}; }

    // The number of slots whose seq is below `seq`.
    std::size_t end_of_seqs_below(std::uint64_t seq) const {
        if (seq <= first_seq_) return 0;
        return static_cast<std::size_t>(std::min<std::uint64_t>(seq - first_seq_, slots_.size()));
    }

    bool add_dense(const message_place& p) {
        if (slots_.empty()) {
            first_seq_ = p.seq;
            slots_.push_back(slot_of(p));
            return true;
        }
        if (p.seq < first_seq_) {
            if (first_seq_ - p.seq > max_gap) return false;
            slots_.insert(slots_.begin(), first_seq_ - p.seq, 0);
            first_seq_ = p.seq;
        }
        auto i = p.seq - first_seq_;
        if (i < slots_.size()) {
            slots_[i] = slot_of(p);
            return true;
        }
        if (i - slots_.size() > max_gap) return false;
        slots_.resize(i, 0);  // nothing, for the next seq
        slots_.push_back(slot_of(p));
        return true;
    }

    void add_sparse(const message_place& p) {
        if (sparse_.empty()) {
            for (std::size_t i = 0; i < slots_.size(); ++i)
                if (slots_[i]) sparse_.push_back(place_of(i));
            slots_ = {};
        }
        put_in_seq_order(sparse_, p);
    }

    std::uint64_t first_seq_ = 0;
    std::vector<std::uint64_t> slots_;  // row << 1 | from_user; 0: no message has that seq
    std::vector<message_place> sparse_;  // instead of slots_, once a seq did not fit them
};

class message_index {
public:
    using entry = message_place;
    static_assert(sizeof(entry) == 16);

    void add(std::string_view phone, std::uint64_t seq, std::int64_t row, bool from_user) {
        auto& s = shard_for(phone);
        std::lock_guard lock(s.mutex);
        auto it = s.phones.find(phone);
        if (it == s.phones.end()) it = s.phones.emplace(std::string(phone), conversation_rows{}).first;
        it->second.add(entry{seq, from_user, row});
    }

    std::optional<std::int64_t> find(std::string_view phone, std::uint64_t seq) const {
        std::optional<std::int64_t> out;
        visit(phone, [&](const conversation_rows& rows) { out = rows.find(seq); });
        return out;
    }

    // The last `limit` messages with seq < `before`, oldest first.
    std::vector<entry> before(std::string_view phone, std::uint64_t before, std::size_t limit) const {
        std::vector<entry> out;
        visit(phone, [&](const conversation_rows& rows) { out = rows.before(before, limit); });
        return out;
    }

    // How many messages with seq > `after` the user wrote.
    std::uint32_t user_messages_after(std::string_view phone, std::uint64_t after) const {
        std::uint32_t users = 0;
        visit(phone, [&](const conversation_rows& rows) { users = rows.user_messages_after(after); });
        return users;
    }

    // The newest message with seq < `before` that the user wrote.
    std::optional<entry> last_from_user(std::string_view phone, std::uint64_t before) const {
        std::optional<entry> out;
        visit(phone, [&](const conversation_rows& rows) { out = rows.last_from_user(before); });
        return out;
    }

    std::optional<entry> last(std::string_view phone) const {
        std::optional<entry> out;
        visit(phone, [&](const conversation_rows& rows) { out = rows.last(); });
        return out;
    }

    // Every row of `phone`'s messages, in seq order.
    std::vector<std::int64_t> rows_of(std::string_view phone) const {
        std::vector<std::int64_t> out;
        for (auto& p : before(phone, UINT64_MAX, SIZE_MAX)) out.push_back(p.row);
        return out;
    }

    // Forgets `phone`'s messages, whose rows were deleted (its conversation erased).
    void forget(std::string_view phone) {
        auto& s = shard_for(phone);
        std::lock_guard lock(s.mutex);
        if (auto it = s.phones.find(phone); it != s.phones.end()) s.phones.erase(it);
    }

private:
    struct shard {
        mutable adaptive_mutex mutex;
        string_map<conversation_rows> phones;
    };

    template <class F>
    void visit(std::string_view phone, F&& f) const {
        auto& s = shard_for(phone);
        std::lock_guard lock(s.mutex);
        auto it = s.phones.find(phone);
        if (it != s.phones.end()) f(it->second);
    }

    // The shard takes the hash's high bits; the map mixes it again.
    const shard& shard_for(std::string_view phone) const { return shards_[hash_string(phone) >> 60]; }
    shard& shard_for(std::string_view phone) { return shards_[hash_string(phone) >> 60]; }

    std::array<shard, 16> shards_;
};

}  // namespace switchboard::store
