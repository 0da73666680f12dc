#include "switchboard/core/ids.hpp"

#include <openssl/rand.h>

#include <chrono>
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
    thread_local std::uint16_t counter = static_cast<std::uint16_t>(gen());
    static constexpr char digits[] = "0123456789abcdef";
    char hex[24];
    auto put = [&](char* at, std::uint64_t v, int hex_digits) {
        for (int i = hex_digits - 1; i >= 0; --i, ++at) *at = digits[(v >> (4 * i)) & 15];
    };
    // Milliseconds first, so that ids sort by time and a new one lands at the
    // right edge of the store's id index instead of on a random page.
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count();
    put(hex, static_cast<std::uint64_t>(ms), 12);
    put(hex + 12, ++counter, 4);
    put(hex + 16, gen(), 8);
    std::string out;
    out.reserve(prefix.size() + sizeof hex);
    out += prefix;
    out.append(hex, sizeof hex);
    return out;
}

}  // namespace switchboard
