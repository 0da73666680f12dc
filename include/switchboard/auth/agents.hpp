// Agents and their sessions: accounts with Argon2id password hashes, random
// session tokens stored only as hashes, and a limit on failed logins.
#pragma once

#include "switchboard/auth/password_link.hpp"
#include "switchboard/core/digest.hpp"
#include "switchboard/store/store.hpp"

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
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
    bool active = true;  // false: deactivated; kept for the history that names them
    // Chatwoot's message signature: the console adds it under the agent's
    // replies while its Sign switch is on. Empty: none.
    std::string signature;
    // Where their notifications are e-mailed while no console of theirs is
    // open (--smtp-url). Empty: none are.
    std::string email;
    // Two-factor authentication is on: a login asks for a code from their app.
    bool two_factor = false;
    std::size_t recovery_codes_left = 0;  // with two_factor: the unused ones
    // Invited by e-mail, and has not chosen a password yet: cannot log in.
    bool invited = false;
    bool is_admin() const { return role == "admin"; }
    // What people see them as: their display name, else their username.
    const std::string& shown_name() const { return display_name.empty() ? username : display_name; }
};

// libsodium's crypto_pwhash_str (Argon2id); slow on purpose.
std::string hash_password(std::string_view password);
bool verify_password(std::string_view password, std::string_view hash);
using switchboard::sha256_hex;  // core/digest.hpp: what session tokens are kept as

// Checks of new-account input; an empty string when valid, else the reason.
std::string validate_username(std::string_view u);
std::string validate_password(std::string_view p);
std::string validate_role(std::string_view r);

// A change the team's rules refuse: the agent exists already or not at
// all, or the team would be left with no admin.
class agent_refusal : public std::runtime_error {
public:
    enum class kind { conflict, not_found };
    agent_refusal(kind k, const std::string& why) : std::runtime_error(why), kind_(k) {}
    kind what_kind() const { return kind_; }

private:
    kind kind_;
};

inline constexpr std::size_t max_signature_chars = 300;
inline constexpr std::size_t max_signature_bytes = 4 * max_signature_chars;  // UTF-8, at worst

// What PATCH /agents/{username} may change; what is absent stays.
struct agent_changes {
    std::optional<bool> available;
    std::optional<std::uint32_t> max_chats;
    std::optional<std::string> display_name;
    std::optional<std::string> role;
    // false deactivates: every session ends and logins are refused, while
    // the agent's name stays on the history.
    std::optional<bool> active;
    // A new password, set by an admin: every session of the agent ends, so
    // whoever held the old one is logged out.
    std::optional<std::string> password;
    std::optional<std::string> signature;  // empty: none
    std::optional<std::string> email;      // empty: none
    // false: an admin turns another's two-factor authentication off (a lost
    // phone and lost recovery codes). Only the agent turns it on.
    std::optional<bool> two_factor;
};

// Why `email` is not an address notifications can go to (one line, no
// spaces, name@domain.tld, at most 254 characters); empty when it is.
std::string validate_email(std::string_view email);

struct agents_options {
    std::chrono::seconds session_ttl{std::chrono::hours(12)};
    std::size_t max_failed_logins = 5;  // per username and per client address, within the window
    std::chrono::seconds failure_window{300};
    // "Forgot your password?" mails asked for, in an hour: for one username
    // or address typed (mail to one person), and from one client address
    // (mail to many).
    std::size_t max_reset_mails = 3;
    std::size_t max_reset_mails_per_client = 10;
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
        // code_required: the password is right, and the agent's two-factor
        // authentication asks for a code too; wrong_code counts as a failure.
        enum class outcome { ok, bad_credentials, rate_limited, code_required, wrong_code } what =
            outcome::bad_credentials;
        std::string token;
        agent who;
        std::chrono::seconds retry_after{0};
        bool used_recovery_code = false;
    };
    // `code`: the agent's one-time code or a recovery code, when they have two-factor authentication.
    boost::asio::awaitable<login_result> login(std::string username, std::string password, std::string code,
                                               std::string address);
    boost::asio::awaitable<void> logout(std::string token);
    // The agent a session token belongs to, if it is live.
    std::optional<agent> authenticate(std::string_view token) const;
    // Whether the session with this token hash is live: not expired, not
    // ended, and its agent active.
    bool session_live(const std::string& token_hash) const;

    std::vector<agent> list() const;
    std::optional<agent> find(std::string_view username) const;
    // Throws std::invalid_argument with a field-naming reason, or agent_refusal
    // (conflict: the username, or another agent's e-mail address in any case).
    // Without a password, with an e-mail address: invited (invite() makes
    // the link they choose one with).
    boost::asio::awaitable<agent> create(std::string username, std::string password, std::string role,
                                         std::string display_name, std::string email = {});
    // Throws std::invalid_argument (bad value) or agent_refusal (conflict: the
    // last admin, or another agent's e-mail address). `ended_sessions`
    // gets the token hashes of the sessions a new password ended.
    boost::asio::awaitable<agent> update(std::string username, agent_changes changes,
                                         std::vector<std::string>* ended_sessions = nullptr);

    // An agent changing their own password: `current` must be right, and a
    // wrong one counts as a failed login, so a borrowed session cannot guess
    // it. Every other session of the agent ends; the one holding
    // `keep_token` stays.
    struct password_change {
        enum class outcome { changed, wrong_password, rate_limited } what = outcome::wrong_password;
        std::chrono::seconds retry_after{0};
        std::vector<std::string> ended_sessions;  // token hashes
    };
    boost::asio::awaitable<password_change> change_own_password(std::string username, std::string current,
                                                                std::string next, std::string keep_token,
                                                                std::string address);
    // Whether `password` is the agent's own, for a change that asks for it
    // (their e-mail address, where a reset link would go): a wrong one
    // counts as a failed login, as change_own_password's does.
    struct password_check {
        enum class outcome { right, wrong_password, rate_limited } what = outcome::wrong_password;
        std::chrono::seconds retry_after{0};
    };
    boost::asio::awaitable<password_check> check_own_password(std::string username, std::string password,
                                                              std::string address);
    // The operator's reset (`switchboard agent passwd`): ends every session.
    boost::asio::awaitable<void> set_password(std::string username, std::string password);

    std::chrono::seconds session_ttl() const { return options_.session_ttl; }

    // A link to the agent's mailbox that lets them choose a password
    // (auth/password_link.hpp), and whom it goes to.
    struct mailed_link {
        std::string token;
        agent who;  // with the address it goes to
    };
    // "Forgot your password?": the link for the active agent whose username
    // or e-mail address `login` is, when they have an address; none for
    // anyone else (the caller says the same either way). `retry_after` is
    // set when too many were asked for.
    struct reset_request {
        std::optional<mailed_link> link;
        std::chrono::seconds retry_after{0};
    };
    reset_request password_reset_link(std::string_view login, const std::string& address);
    // A new invitation for an invited agent: earlier ones stop working.
    // Throws agent_refusal: not_found, or conflict when they chose a
    // password already or have no address.
    boost::asio::awaitable<mailed_link> invite(std::string username);
    // A link's password: every session of the agent ends. None when the
    // link is not one, has expired, or its password changed since.
    struct link_use {
        agent who;
        link_purpose purpose = link_purpose::reset;
        std::vector<std::string> ended_sessions;  // token hashes
    };
    boost::asio::awaitable<std::optional<link_use>> set_password_by_link(std::string token, std::string password);

    // Two-factor authentication, each the agent's own. begin asks for the
    // password and makes a secret, pending until enable gets a code from it
    // (so that a secret the app never took cannot lock the agent out);
    // enable turns it on and gives ten recovery codes; disable asks for the
    // password and a code; new_recovery_codes asks for a code and replaces
    // them. A wrong password or code counts as a failed login.
    struct two_factor_result {
        // required_by_team: disable, while the team requires it of everyone.
        enum class outcome {
            done,
            wrong_password,
            wrong_code,
            rate_limited,
            already_on,
            not_on,
            not_begun,
            required_by_team
        } what = outcome::done;
        std::chrono::seconds retry_after{0};
        std::string secret;                       // begin: base32
        std::vector<std::string> recovery_codes;  // enable, new_recovery_codes: shown once, never stored
        bool used_recovery_code = false;
        agent who;
    };
    boost::asio::awaitable<two_factor_result> begin_two_factor(std::string username, std::string password,
                                                               std::string address);
    boost::asio::awaitable<two_factor_result> enable_two_factor(std::string username, std::string code,
                                                                std::string address);
    boost::asio::awaitable<two_factor_result> disable_two_factor(std::string username, std::string password,
                                                                 std::string code, std::string address);
    boost::asio::awaitable<two_factor_result> new_recovery_codes(std::string username, std::string code,
                                                                 std::string address);
    // The secret begin made for the agent, while it waits for enable.
    std::optional<std::string> pending_two_factor_secret(std::string_view username) const;

    // Whether the team requires two-factor authentication (PUT
    // /settings/security): a login's session of an agent without it may then
    // only set it up. Set at start-up and by that route.
    bool two_factor_required() const { return two_factor_required_.load(); }
    void require_two_factor(bool required) { two_factor_required_.store(required); }
    // Whether `token` is an API token's (a script's), not a login's.
    bool is_api_token(std::string_view token) const;

    // API tokens: sessions an agent makes for a script or an integration,
    // named, that last until revoked. A new password or deactivation ends
    // them with every other session: whoever had the old password may have
    // made one.
    struct api_token {
        std::string id;  // the start of the token's hash: names it without giving it away
        std::string name;
        timestamp created_at{};
    };
    static constexpr std::size_t max_api_tokens = 20;  // per agent
    struct new_api_token {
        std::string token;  // shown once, never stored
        api_token about;
    };
    // Throws std::invalid_argument (the name) or agent_refusal (conflict: as many as allowed).
    boost::asio::awaitable<new_api_token> create_api_token(std::string username, std::string name);
    // The agent's, oldest first.
    std::vector<api_token> api_tokens(std::string_view username) const;
    // The revoked token's hash (its sockets close), or none when the agent has no token by that id.
    boost::asio::awaitable<std::optional<std::string>> revoke_api_token(std::string username, std::string id);

    struct impl;

private:
    // Each public change runs its *_in_turn on the changes strand, one at a time.
    boost::asio::awaitable<agent> create_in_turn(std::string username, std::string password, std::string role,
                                                 std::string display_name, std::string email);
    boost::asio::awaitable<mailed_link> invite_in_turn(std::string username);
    boost::asio::awaitable<std::optional<link_use>> set_password_by_link_in_turn(std::string token,
                                                                                 std::string password);
    boost::asio::awaitable<agent> update_in_turn(std::string username, agent_changes changes,
                                                 std::vector<std::string>* ended_sessions);
    boost::asio::awaitable<new_api_token> create_api_token_in_turn(std::string username, std::string name);
    boost::asio::awaitable<password_check> check_own_password_in_turn(std::string username, std::string password,
                                                                      std::string address);
    // Within a turn: whether `password` is the agent's, and their stored
    // record; a wrong one counts as a failed login.
    struct checked_password {
        password_check check;
        std::optional<store::agent_record> record;
    };
    boost::asio::awaitable<checked_password> password_checked(std::string username, std::string password,
                                                              std::string address);
    boost::asio::awaitable<password_change> change_own_password_in_turn(std::string username, std::string current,
                                                                        std::string next, std::string keep_token,
                                                                        std::string address);
    struct two_factor_request;
    boost::asio::awaitable<two_factor_result> two_factor_turn(two_factor_request request);
    boost::asio::awaitable<two_factor_result> two_factor_in_turn(two_factor_request request);
    // A login's code, in turn with the account's changes: its use is a write.
    boost::asio::awaitable<two_factor_result> check_second_factor(std::string username, std::string code,
                                                                  std::string address);
    // Writes the account, with the sessions a change ended, then caches it.
    boost::asio::awaitable<void> save(store::agent_record r, std::vector<std::string> ended_sessions);
    // Under the lock: the agent's sessions but `keep_hash` leave the cache;
    // their token hashes.
    std::vector<std::string> drop_sessions_locked(const std::string& username, const std::string& keep_hash);

    store::store& store_;
    agents_options options_;
    std::atomic<bool> two_factor_required_{false};
    std::unique_ptr<impl> impl_;
};

}  // namespace switchboard::auth
