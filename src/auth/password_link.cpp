#include "switchboard/auth/password_link.hpp"

#include "switchboard/core/digest.hpp"
#include "switchboard/core/ids.hpp"

#include <charconv>

namespace switchboard::auth {

namespace {

constexpr std::string_view unusable_prefix = "unset$";

char letter_of(link_purpose p) { return p == link_purpose::invitation ? 'i' : 'r'; }

std::string signed_text(char purpose, std::string_view username, long long expiry) {
    return std::string("switchboard password link\n") + purpose + "\n" + std::string(username) + "\n" +
           std::to_string(expiry);
}

long long unix_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string make_password_link(link_purpose purpose, std::string_view username,
                               std::chrono::system_clock::time_point expires, std::string_view password_hash) {
    auto expiry = unix_seconds(expires);
    auto mac = hmac_sha256_hex(password_hash, signed_text(letter_of(purpose), username, expiry));
    return std::string(1, letter_of(purpose)) + "." + std::to_string(expiry) + "." + mac + "." + std::string(username);
}

std::optional<password_link> read_password_link(std::string_view token) {
    if (token.size() < 4 || (token[0] != 'r' && token[0] != 'i') || token[1] != '.') return std::nullopt;
    password_link out;
    out.purpose = token[0] == 'i' ? link_purpose::invitation : link_purpose::reset;
    auto rest = token.substr(2);
    auto dot = rest.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    long long expiry = 0;
    auto digits = rest.substr(0, dot);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), expiry);
    if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty()) return std::nullopt;
    rest = rest.substr(dot + 1);
    dot = rest.find('.');
    if (dot != 64 || rest.size() == 65) return std::nullopt;  // 64 hex digits, then a username
    out.mac = rest.substr(0, 64);
    out.username = rest.substr(65);
    out.expires = std::chrono::system_clock::time_point(std::chrono::seconds(expiry));
    return out;
}

bool password_link_holds(const password_link& link, std::string_view password_hash,
                         std::chrono::system_clock::time_point now) {
    if (now >= link.expires) return false;
    auto expected = hmac_sha256_hex(password_hash, signed_text(letter_of(link.purpose), link.username,
                                                               unix_seconds(link.expires)));
    return same_secret(expected, link.mac);
}

std::string unusable_password_hash() { return std::string(unusable_prefix) + random_hex_id("", 32); }

bool is_unusable_password_hash(std::string_view hash) { return hash.starts_with(unusable_prefix); }

}  // namespace switchboard::auth
