// A flat hash map keyed by strings that a string_view finds unconverted.
// Flat: a lookup touches the slot's group and the element, not a chain of
// nodes, which matters for maps of tens of thousands of conversations.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace switchboard {

// Keys here are phones and dedupe keys, 10 to 40 bytes, hashed several times
// per webhook: 8 bytes a step (the last step overlapping the one before),
// then a full avalanche, so that low bits and high bits both spread (maps
// and shards take either). boost::hash went a byte at a time.
inline std::uint64_t hash_string(std::string_view s) {
    constexpr std::uint64_t k = 0x9e3779b97f4a7c15ull;
    auto load = [](const char* p, std::size_t n) {
        std::uint64_t w = 0;
        std::memcpy(&w, p, n);
        return w;
    };
    const char* p = s.data();
    std::size_t n = s.size();
    std::uint64_t h = n * k;
    auto mix = [&](std::uint64_t w) {
        h = (h ^ w) * k;
        h ^= h >> 32;
    };
    if (n >= 8) {
        for (; n > 8; p += 8, n -= 8) mix(load(p, 8));
        mix(load(p + n - 8, 8));
    } else if (n >= 4) {
        mix(load(p, 4) << 32 | load(p + n - 4, 4));
    } else if (n > 0) {
        mix(load(p, n));
    }
    h ^= h >> 33;  // MurmurHash3's finalizer
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

struct string_hash {
    // Not marked avalanching: the map mixes it once more, so that a shard's
    // keys, which share their low bits, still spread within the shard.
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return hash_string(s); }
};

struct string_equal {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

template <class T>
using string_map = boost::unordered_flat_map<std::string, T, string_hash, string_equal>;

}  // namespace switchboard
