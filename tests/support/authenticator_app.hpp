// An agent's authenticator app, for tests of two-factor authentication:
// the codes it shows, and its turning on through the real server.
#pragma once

#include "api_session.hpp"
#include "http_client.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace switchboard::test {

std::int64_t step_now();
// What the agent's app shows at `step` for the secret (base32).
std::string app_code(const std::string& secret, std::int64_t step);

struct turned_on {
    std::string secret;
    std::int64_t step;  // the step whose code turned it on: used
    std::vector<std::string> recovery_codes;
};
// `agent` (whose password is `password`) turns two-factor authentication on.
turned_on turn_on(const api_client& agent, const std::string& password);

// POST /auth/login, with a code when given.
http_result log_in(unsigned short port, const std::string& username, const std::string& password,
                   const std::string& code = {});

}  // namespace switchboard::test
