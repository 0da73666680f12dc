// The hashes of every dedupe key the store holds, in memory.
//
// Almost every webhook carries a message id never seen before; answering
// "not seen" from here spares the io thread a SQLite read (and the reader
// connection's lock, which both io threads and the writer's WAL index
// contend for). A hash that is present may be a collision, so a hit still
// reads the row. About 10 bytes per key.
#pragma once

#include "../core/adaptive_mutex.hpp"

#include <boost/unordered/unordered_flat_set.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>

namespace switchboard::store {

class key_filter {
public:
    void add(std::string_view key) {
        auto h = hash(key);
        auto& s = shard_for(h);
        std::lock_guard lock(s.mutex);
        s.hashes.insert(h);
    }
    bool may_contain(std::string_view key) const {
        auto h = hash(key);
        auto& s = shard_for(h);
        std::lock_guard lock(s.mutex);
        return s.hashes.contains(h);
    }

private:
    static std::uint64_t hash(std::string_view key) { return std::hash<std::string_view>()(key); }
    struct shard {
        mutable adaptive_mutex mutex;
        boost::unordered_flat_set<std::uint64_t> hashes;
    };
    // The shard takes the high bits; the flat set uses the hash whole.
    const shard& shard_for(std::uint64_t h) const { return shards_[h >> 60]; }
    shard& shard_for(std::uint64_t h) { return shards_[h >> 60]; }
    std::array<shard, 16> shards_;
};

}  // namespace switchboard::store
