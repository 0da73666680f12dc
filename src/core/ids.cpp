#include "switchboard/core/ids.hpp"

#include <openssl/rand.h>

#include <stdexcept>
#include <random>
#include <vector>

namespace switchboard {

std::string random_hex_id(std::string_view prefix, std::size_t bytes) {
    std::vector<unsigned char> raw(bytes);
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) throw std::runtime_error("RAND_bytes failed");
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(prefix);
    for (auto b : raw) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

std::string unique_id(std::string_view prefix) {
    thread_local std::mt19937_64 gen = [] {
        std::uint64_t seed[2];
        if (RAND_bytes(reinterpret_cast<unsigned char*>(seed), sizeof seed) != 1) throw std::runtime_error("RAND_bytes failed");
        std::seed_seq seq{seed[0], seed[0] >> 32, seed[1], seed[1] >> 32};
        return std::mt19937_64(seq);
    }();
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(prefix);
    auto a = gen(), b = gen();
    for (int i = 0; i < 16; ++i) out.push_back(digits[(a >> (60 - 4 * i)) & 15]);
    for (int i = 0; i < 8; ++i) out.push_back(digits[(b >> (60 - 4 * i)) & 15]);
    return out;
}

}  // namespace switchboard
