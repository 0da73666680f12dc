// Random identifiers and secrets from OpenSSL's CSPRNG.
#pragma once

#include <string>

namespace switchboard {

// `prefix` + 2*bytes lowercase hex characters.
std::string random_hex_id(std::string_view prefix, std::size_t bytes = 12);

}  // namespace switchboard
