// Random identifiers and secrets from OpenSSL's CSPRNG.
#pragma once

#include <string>

namespace switchboard {

// `prefix` + 2*bytes lowercase hex characters from the CSPRNG: for secrets
// (session tokens, generated passwords).
std::string random_hex_id(std::string_view prefix, std::size_t bytes = 12);

// `prefix` + 24 hex characters, unique but not secret (message and ticket
// ids): a per-thread generator seeded from the CSPRNG, far cheaper per id.
std::string unique_id(std::string_view prefix);

}  // namespace switchboard
