// The links that let an agent choose a password from their mailbox: one
// to set a new password they forgot ("Forgot your password?"), and one to
// choose their first, when an admin invited them by e-mail.
//
// A link holds its purpose, its agent, when it expires, and an HMAC of
// these keyed with the account's current password hash. Nothing is kept
// for it: it dies when it expires, and as soon as the password changes,
// so it works once, and a link asked for earlier stops working when a
// later one is used. A new invitation gives the account a new unusable
// hash, so only the newest invitation works.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::auth {

enum class link_purpose { reset, invitation };

inline constexpr std::chrono::hours reset_link_life{1};
inline constexpr std::chrono::hours invitation_link_life{24 * 7};

// "<r|i>.<expiry, Unix seconds>.<HMAC hex>.<username>": URL-safe, as a
// username is (a-z, 0-9, '_', '-', '.').
std::string make_password_link(link_purpose purpose, std::string_view username,
                               std::chrono::system_clock::time_point expires, std::string_view password_hash);

struct password_link {
    link_purpose purpose = link_purpose::reset;
    std::string username;
    std::chrono::system_clock::time_point expires;
    std::string mac;
};
// Its parts, or none when it is not shaped as a link.
std::optional<password_link> read_password_link(std::string_view token);
// Made with this hash and not expired at `now`.
bool password_link_holds(const password_link& link, std::string_view password_hash,
                         std::chrono::system_clock::time_point now);

// The hash an invited account has until its agent chooses a password:
// random, and never the hash of any password.
std::string unusable_password_hash();
bool is_unusable_password_hash(std::string_view hash);

}  // namespace switchboard::auth
