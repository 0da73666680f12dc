// Two-factor authentication: time-based one-time codes (TOTP, RFC 6238,
// HMAC-SHA1, six digits, 30-second steps), as authenticator apps make them,
// and single-use recovery codes for an agent who lost their phone.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::auth::two_factor {

inline constexpr std::chrono::seconds step_length{30};
inline constexpr std::size_t recovery_code_count = 10;

// RFC 4648 base32, upper case, without padding: the form authenticator apps
// take a secret in. decode ignores spaces, padding and case, and answers
// none for any other character.
std::string base32_encode(std::string_view bytes);
std::optional<std::string> base32_decode(std::string_view text);

// A new secret: 20 random bytes (160 bits, RFC 4226's recommendation), base32.
std::string new_secret();

// The time step `at` falls in (Unix seconds / 30).
std::int64_t step_at(std::chrono::system_clock::time_point at);

// HOTP (RFC 4226) of the key's bytes at a counter, `digits` long, zero-padded.
std::string hotp(std::string_view key, std::uint64_t counter, int digits = 6);

// The step whose code `code` is (digits only, spaces ignored), within one
// step either side of `now` (a phone's clock a little off), and after
// `last_used`, so that a code seen over a shoulder cannot be used again.
std::optional<std::int64_t> matching_step(std::string_view secret_base32, std::string_view code, std::int64_t now,
                                          std::int64_t last_used);

// Whether `code` reads as a six-digit code (spaces ignored) rather than a recovery code.
bool looks_like_totp(std::string_view code);

// What an authenticator app scans: otpauth://totp/Issuer:account?secret=…
std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret_base32);

// Ten new recovery codes, as shown once: `xxxxx-xxxxx`, lower-case base32 (50 bits each).
std::vector<std::string> new_recovery_codes();
// What a recovery code is kept as: SHA-256 hex of its letters, lower case,
// without the hyphen or spaces, so that it matches however it is typed. The
// store keeps them space-separated (core/space_separated.hpp).
std::string recovery_code_hash(std::string_view code);

}  // namespace switchboard::auth::two_factor
