// The in-memory store's dedupe keys and the answer each one got, dropped
// only with an erased user's messages (like SQLite's, kept in their rows).
// Nearly every webhook adds a key. Kept as strings in a map, a key took a
// heap block of its own (keys run past 15 bytes) and a slot with a shared
// answer pointer. Here a key is its hash in a flat map
// (24 bytes a slot) and its bytes in a text_arena, and answers, which
// repeat (every new user gets the same menu), are kept once each and named
// by number: 4,413 → 4,367 bytes per conversation at 100,000 conversations
// in memory (one key each). Keeping no keys at all, as a measurement, was
// worth about 4% of a webhook's CPU at one server thread; most of that is
// the map's cache misses, which any index has, and this layout did not
// change CPU per request beyond the noise (docs/benchmarks.md).
//
// Two keys with one hash: the first keeps the slot, the other goes to an
// exact map by its full text. With 64 bits that practically never happens,
// and when it does nothing is lost or confused, only slower.
//
// Sharded by the hash's high bits so that the two io threads seldom meet on
// one lock; the map takes the hash whole.
#pragma once

#include "../core/adaptive_mutex.hpp"
#include "../core/string_map.hpp"
#include "text_arena.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::store {

class memory_dedupe {
public:
    using hash_function = std::uint64_t (*)(std::string_view);

    // `hash` is for tests, which need collisions.
    explicit memory_dedupe(hash_function hash = &hash_string) : hash_(hash) {}

    // Records `answer` as `key`'s, replacing what it had.
    void put(std::string_view key, std::string_view answer) {
        auto h = hash_(key);
        auto& s = shard_for(h);
        std::lock_guard lock(s.mutex);
        auto answer_id = s.intern(answer);
        auto [it, inserted] = s.by_hash.try_emplace(h);
        if (inserted) {
            it->second = {s.keys.append(key), answer_id};
        } else if (s.keys.view(it->second.key) == key) {
            it->second.answer = answer_id;
        } else {
            s.collided.insert_or_assign(std::string(key), answer_id);
        }
    }

    // Forgets `key` and its answer (a user erased). The key's bytes stay in
    // the arena: erasures are rare.
    void erase(std::string_view key) {
        auto h = hash_(key);
        auto& s = shard_for(h);
        std::lock_guard lock(s.mutex);
        if (auto c = s.collided.find(key); c != s.collided.end()) {
            s.collided.erase(c);
            return;
        }
        auto it = s.by_hash.find(h);
        if (it == s.by_hash.end() || s.keys.view(it->second.key) != key) return;
        s.by_hash.erase(it);
        // A key of the same hash waiting aside takes the slot, where find looks first.
        for (auto c = s.collided.begin(); c != s.collided.end(); ++c)
            if (hash_(c->first) == h) {
                s.by_hash.emplace(h, slot{s.keys.append(c->first), c->second});
                s.collided.erase(c);
                return;
            }
    }

    std::optional<std::string> find(std::string_view key) const {
        auto h = hash_(key);
        auto& s = shard_for(h);
        std::lock_guard lock(s.mutex);
        auto it = s.by_hash.find(h);
        if (it == s.by_hash.end()) return std::nullopt;
        if (s.keys.view(it->second.key) == key) return s.answers[it->second.answer];
        if (auto c = s.collided.find(key); c != s.collided.end()) return s.answers[c->second];
        return std::nullopt;
    }

private:
    struct slot {
        text_arena::location key;
        std::uint32_t answer;
    };
    struct shard {
        mutable adaptive_mutex mutex;
        boost::unordered_flat_map<std::uint64_t, slot> by_hash;
        text_arena keys;
        string_map<std::uint32_t> collided;  // keys whose hash another key holds
        std::vector<std::string> answers;    // each distinct answer once
        string_map<std::uint32_t> answer_ids;

        std::uint32_t intern(std::string_view answer) {
            if (auto it = answer_ids.find(answer); it != answer_ids.end()) return it->second;
            auto id = static_cast<std::uint32_t>(answers.size());
            answers.emplace_back(answer);
            answer_ids.emplace(std::string(answer), id);
            return id;
        }
    };

    const shard& shard_for(std::uint64_t h) const { return shards_[h >> 60]; }
    shard& shard_for(std::uint64_t h) { return shards_[h >> 60]; }

    hash_function hash_;
    std::array<shard, 16> shards_;
};

}  // namespace switchboard::store
