// Where each stored dedupe key is, in memory: its hash → its row.
//
// Keys are stored with no index of their own (schema v7): keys land at
// random, so an index on them dirtied one random page per durable webhook.
// Their rows append instead (since v12, the rows of the messages they
// answer; before, the dedupe table's), and this map finds them; the store
// keeps one per table. Almost every webhook carries a
// message id never seen before, and "not seen" is answered from here without
// a SQLite read. About 20 bytes per key.
//
// Two keys that share a hash (or one key stored twice) make that hash
// `ambiguous`: the store then looks for the key by a scan of the table,
// which is slow but right, and practically never happens with 64 bits.
#pragma once

#include "../core/adaptive_mutex.hpp"
#include "../core/string_map.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include <array>
#include <cstdint>
#include <mutex>
#include <string_view>

namespace switchboard::store {

class key_index {
public:
    using hash_function = std::uint64_t (*)(std::string_view);
    static constexpr std::int64_t ambiguous = 0;  // SQLite never hands out rowid 0 on its own
    static constexpr std::int64_t absent = -1;

    // `hash` is for tests, which need collisions.
    explicit key_index(hash_function hash = &hash_string) : hash_(hash) {}

    void add(std::string_view key, std::int64_t rowid) { add_hashed(hash_of(key), rowid); }

    // The same in two steps, for a start-up that hashes on one thread and
    // files on another.
    std::uint64_t hash_of(std::string_view key) const { return hash_(key); }
    void add_hashed(std::uint64_t h, std::int64_t rowid) {
        auto& s = shard_for(h);
        std::lock_guard lock(s.mutex);
        auto [it, inserted] = s.rows.try_emplace(h, rowid);
        if (!inserted && it->second != rowid) it->second = ambiguous;
    }

    // The row that holds `key` if it is stored (`absent` when it surely is
    // not, `ambiguous` when only a scan can tell). The row may hold another
    // key with the same hash: compare before trusting it.
    std::int64_t find(std::string_view key) const {
        auto h = hash_(key);
        auto& s = shard_for(h);
        std::lock_guard lock(s.mutex);
        auto it = s.rows.find(h);
        return it == s.rows.end() ? absent : it->second;
    }

private:
    struct shard {
        mutable adaptive_mutex mutex;
        boost::unordered_flat_map<std::uint64_t, std::int64_t> rows;
    };
    // The shard takes the high bits; the map uses the hash whole.
    const shard& shard_for(std::uint64_t h) const { return shards_[h >> 60]; }
    shard& shard_for(std::uint64_t h) { return shards_[h >> 60]; }
    hash_function hash_;
    std::array<shard, 16> shards_;
};

}  // namespace switchboard::store
