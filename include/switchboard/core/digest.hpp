// SHA-256 and HMAC-SHA-256 as lower-case hex, and a comparison whose time
// does not tell where two strings differ: what tokens, signatures and
// links are made and checked with.
#pragma once

#include <string>
#include <string_view>

namespace switchboard {

std::string sha256_hex(std::string_view data);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
// Equal sizes and bytes; the time taken depends on the sizes only.
bool same_secret(std::string_view a, std::string_view b);

}  // namespace switchboard
