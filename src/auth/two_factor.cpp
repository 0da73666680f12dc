#include "switchboard/auth/two_factor.hpp"

#include "switchboard/auth/agents.hpp"
#include "switchboard/core/ascii_case.hpp"
#include "switchboard/http/message.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace switchboard::auth::two_factor {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return out;
}

// Digits alone, the spaces an app shows in the middle ("123 456") dropped;
// empty when anything else is there.
std::string digits_of(std::string_view code) {
    std::string out;
    for (char c : code) {
        if (c == ' ') continue;
        if (c < '0' || c > '9') return {};
        out.push_back(c);
    }
    return out;
}

}  // namespace

std::string base32_encode(std::string_view bytes) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 5) {
            out.push_back(alphabet[(buffer >> (bits - 5)) & 31]);
            bits -= 5;
        }
    }
    if (bits > 0) out.push_back(alphabet[(buffer << (5 - bits)) & 31]);
    return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        if (c == ' ' || c == '=') continue;
        c = ascii_lower(c);
        int v = -1;
        if (c >= 'a' && c <= 'z') v = c - 'a';
        if (c >= '2' && c <= '7') v = c - '2' + 26;
        if (v < 0) return std::nullopt;
        buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
        bits += 5;
        if (bits >= 8) {
            out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
            bits -= 8;
        }
    }
    return out;
}

std::string new_secret() { return base32_encode(random_bytes(20)); }

std::int64_t step_at(std::chrono::system_clock::time_point at) {
    return std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count() / step_length.count();
}

std::string hotp(std::string_view key, std::uint64_t counter, int digits) {
    unsigned char message[8];
    for (int i = 7; i >= 0; --i, counter >>= 8) message[i] = static_cast<unsigned char>(counter & 0xff);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_length = 0;
    if (!HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), message, sizeof message, mac, &mac_length))
        throw std::runtime_error("HMAC-SHA1 failed");
    // RFC 4226 §5.3, dynamic truncation.
    int offset = mac[mac_length - 1] & 0x0f;
    std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) |
                           (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                           (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
    std::uint32_t modulo = 1;
    for (int i = 0; i < digits; ++i) modulo *= 10;
    auto code = std::to_string(binary % modulo);
    return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

bool looks_like_totp(std::string_view code) { return digits_of(code).size() == 6; }

std::optional<std::int64_t> matching_step(std::string_view secret_base32, std::string_view code, std::int64_t now,
                                          std::int64_t last_used) {
    auto typed = digits_of(code);
    auto key = base32_decode(secret_base32);
    if (typed.size() != 6 || !key || key->empty()) return std::nullopt;
    std::optional<std::int64_t> found;
    // Every candidate is computed and compared in constant time, so that
    // the answer's timing does not tell which step came close.
    for (std::int64_t step = now - 1; step <= now + 1; ++step) {
        auto expected = hotp(*key, static_cast<std::uint64_t>(step));
        if (CRYPTO_memcmp(expected.data(), typed.data(), 6) == 0 && step > last_used && !found) found = step;
    }
    return found;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret_base32) {
    auto label = http::percent_encode(issuer) + ":" + http::percent_encode(account);
    return "otpauth://totp/" + label + "?secret=" + std::string(secret_base32) + "&issuer=" + http::percent_encode(issuer) +
           "&algorithm=SHA1&digits=6&period=" + std::to_string(step_length.count());
}

std::vector<std::string> new_recovery_codes() {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < recovery_code_count; ++i) {
        auto letters = ascii_lowered(base32_encode(random_bytes(7)).substr(0, 10));  // 50 of the 56 bits
        out.push_back(letters.substr(0, 5) + "-" + letters.substr(5));
    }
    return out;
}

std::string recovery_code_hash(std::string_view code) {
    std::string letters;
    for (char c : code) {
        if (c != '-' && c != ' ') letters.push_back(ascii_lower(c));
    }
    return sha256_hex(letters);
}

}  // namespace switchboard::auth::two_factor
