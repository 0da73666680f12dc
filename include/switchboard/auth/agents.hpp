// Agents and their sessions: accounts with Argon2id password hashes, random
// session tokens stored only as hashes, and a limit on failed logins.
#pragma once

#include "switchboard/store/store.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace switchboard::auth {

struct agent {
    std::string username;
    std::string display_name;
    std::string role;  // admin | agent
    bool available = true;
    std::uint32_t max_chats = 5;
    timestamp created_at{};
    bool is_admin() const { return role == "admin"; }
};

// libsodium's crypto_pwhash_str (Argon2id); slow on purpose.
std::string hash_password(std::string_view password);
bool verify_password(std::string_view password, std::string_view hash);
std::string sha256_hex(std::string_view data);

// Checks of new-account input; an empty string when valid, else the reason.
std::string validate_username(std::string_view u);
std::string validate_password(std::string_view p);
std::string validate_role(std::string_view r);

struct agents_options {
    std::chrono::seconds session_ttl{std::chrono::hours(12)};
    std::size_t max_failed_logins = 5;  // per username and per client address, within the window
    std::chrono::seconds failure_window{300};
};

class agents_service {
public:
    agents_service(store::store& store, agents_options options);
    ~agents_service();

    // Start-up: loads agents and live sessions. Creates `admin` when there is
    // no agent at all (returning its password: the given one or a random
    // one); sets admin's password when one is given.
    std::optional<std::string> bootstrap(const std::string& admin_password);

    struct login_result {
        enum class outcome { ok, bad_credentials, rate_limited } what = outcome::bad_credentials;
        std::string token;
        agent who;
        std::chrono::seconds retry_after{0};
    };
    boost::asio::awaitable<login_result> login(std::string username, std::string password, std::string address);
    boost::asio::awaitable<void> logout(std::string token);
    // The agent a session token belongs to, if it is live.
    std::optional<agent> authenticate(std::string_view token) const;

    std::vector<agent> list() const;
    std::optional<agent> find(std::string_view username) const;
    // Throws std::invalid_argument with a field-naming reason.
    boost::asio::awaitable<agent> create(std::string username, std::string password, std::string role,
                                         std::string display_name);
    boost::asio::awaitable<agent> update(std::string username, std::optional<bool> available,
                                         std::optional<std::uint32_t> max_chats);
    boost::asio::awaitable<void> set_password(std::string username, std::string password);

    std::chrono::seconds session_ttl() const { return options_.session_ttl; }

    struct impl;

private:
    // Writes the account, then caches it.
    boost::asio::awaitable<void> save(store::agent_record r);

    store::store& store_;
    agents_options options_;
    std::unique_ptr<impl> impl_;
};

}  // namespace switchboard::auth
