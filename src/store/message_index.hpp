// Where each stored message is, in memory: (phone, seq) → its row.
//
// Messages are a rowid table whose rows append (schema v6), and since v8 it
// has no (phone, seq) index of its own: that index took one random leaf per
// durable webhook (every webhook comes from some other user), and each such
// page cost a 4 KB WAL frame and its checkpoint. This map answers the same
// questions: a conversation's rows in seq order, and which of them the user
// wrote, 16 bytes a message. The store fills it from the table at start and
// adds each message once its commit has returned, so a row found here is
// always there to read.
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

class message_index {
public:
    struct entry {
        std::uint64_t seq : 63;
        // The user wrote it. Unread counts, on start-up and when an agent
        // reads, are counts of these; reading each row's sender instead was
        // one SQLite lookup a message, most of a large database's start.
        std::uint64_t from_user : 1;
        std::int64_t row;
    };
    static_assert(sizeof(entry) == 16, "an entry a stored message, for as long as the server runs");

    // Keeps each conversation in seq order; a seq given twice takes the new row.
    void add(std::string_view phone, std::uint64_t seq, std::int64_t row, bool from_user) {
        auto& s = shard_for(phone);
        std::lock_guard lock(s.mutex);
        auto it = s.phones.find(phone);
        if (it == s.phones.end()) it = s.phones.emplace(std::string(phone), std::vector<entry>{}).first;
        put_in_seq_order(it->second, entry{seq, from_user, row});
    }

    std::optional<std::int64_t> find(std::string_view phone, std::uint64_t seq) const {
        std::optional<std::int64_t> out;
        visit(phone, [&](const std::vector<entry>& rows) {
            auto at = seq_lower_bound(rows, seq);
            if (at != rows.end() && at->seq == seq) out = at->row;
        });
        return out;
    }

    // The last `limit` messages with seq < `before`, oldest first.
    std::vector<entry> before(std::string_view phone, std::uint64_t before, std::size_t limit) const {
        std::vector<entry> out;
        visit(phone, [&](const std::vector<entry>& rows) {
            auto end = seq_lower_bound(rows, before);
            auto begin = end - static_cast<std::ptrdiff_t>(std::min<std::size_t>(limit, end - rows.begin()));
            out.assign(begin, end);
        });
        return out;
    }

    // How many messages with seq > `after` the user wrote.
    std::uint32_t user_messages_after(std::string_view phone, std::uint64_t after) const {
        std::uint32_t users = 0;
        visit(phone, [&](const std::vector<entry>& rows) {
            for (auto it = seq_upper_bound(rows, after); it != rows.end(); ++it) users += it->from_user;
        });
        return users;
    }

    std::optional<entry> last(std::string_view phone) const {
        std::optional<entry> out;
        visit(phone, [&](const std::vector<entry>& rows) {
            if (!rows.empty()) out = rows.back();
        });
        return out;
    }

private:
    struct shard {
        mutable adaptive_mutex mutex;
        string_map<std::vector<entry>> phones;
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
