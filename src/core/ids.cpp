#include "switchboard/core/ids.hpp"

#include <openssl/rand.h>

#include <stdexcept>
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

}  // namespace switchboard
