// Random identifiers and secrets from OpenSSL's CSPRNG.
#pragma once

#include <string>

namespace switchboard {

// `prefix` + 2*bytes lowercase hex characters from the CSPRNG: for secrets
// (session tokens, generated passwords).
std::string random_hex_id(std::string_view prefix, std::size_t bytes = 12);

// `prefix` + 24 hex characters, unique but not secret (message and ticket
// ids): 12 of milliseconds since the epoch (so ids sort by creation time),
// 4 of a per-thread counter and 8 from a per-thread generator seeded from the
// CSPRNG, far cheaper per id than the CSPRNG itself.
std::string unique_id(std::string_view prefix);

}  // namespace switchboard
