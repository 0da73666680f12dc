// Accounts, sessions and the failed-login limit. Password hashing runs on a
// thread of its own so that a login never stalls the I/O threads, and each
// hash's result goes straight back to its caller (run_apart): a coroutine
// spawned onto the hashing thread came back through that thread's queue,
// behind every hash queued meanwhile, and ten logins at once were all
// answered when the last was done.
#include "switchboard/auth/agents.hpp"
#include "switchboard/auth/two_factor.hpp"

#include "switchboard/core/ascii_case.hpp"
#include "switchboard/core/ids.hpp"
#include "switchboard/core/log.hpp"
#include "switchboard/core/space_separated.hpp"

#include "../core/run_apart.hpp"
#include "../core/strand_semaphore.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <sodium.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace switchboard::auth {

namespace net = boost::asio;

std::string hash_password(std::string_view password) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("password hashing ran out of memory");
    return out;
}

bool verify_password(std::string_view password, std::string_view hash) {
    std::string h(hash);
    return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

std::string validate_username(std::string_view u) {
    if (u.empty() || u.size() > 32) return "username must be 1 to 32 characters";
    // What automation rules sign their notes and messages with.
    if (u == "automation") return "automation is the name automation rules act under";
    for (char c : u)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
            return "username may hold only a-z, 0-9, '_', '-' and '.'";
    return {};
}

std::string validate_password(std::string_view p) {
    if (p.size() < 8) return "password must be at least 8 characters";
    if (p.size() > 256) return "password must be at most 256 characters";
    return {};
}

std::string validate_role(std::string_view r) {
    return r == "admin" || r == "agent" ? std::string{} : std::string("role must be admin or agent");
}

// It goes into an SMTP envelope and a To: header: printable ASCII without
// spaces, angle brackets or quotes, one @ with something either side, and a
// dot in the domain. Not a full RFC 5321 reading: an address an agent types.
std::string validate_email(std::string_view e) {
    const std::string why = "email must be an address such as name@example.com";
    if (e.size() > 254) return "email must be at most 254 characters";
    auto at = e.find('@');
    if (at == std::string_view::npos || at == 0 || at > 64 || e.find('@', at + 1) != std::string_view::npos) return why;
    auto domain = e.substr(at + 1);
    auto dot = domain.find('.');
    if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return why;
    for (char c : e)
        if (c <= ' ' || c > '~' || c == '<' || c == '>' || c == '"' || c == '(' || c == ')' || c == ',' || c == ';' ||
            c == ':' || c == '\\' || c == '[' || c == ']')
            return why;
    return {};
}

namespace {

agent public_view(const store::agent_record& r) {
    return {r.username,  r.display_name,
            r.role,      r.available,
            r.max_chats, r.created_at,
            r.active,    r.signature,
            r.email,     !r.totp_secret.empty(),
            split_space_separated(r.recovery_codes).size(),
            is_unusable_password_hash(r.password_hash)};
}

enum class code_use { wrong, totp, recovery };

// Checks `code` against the account's secret, or else its recovery codes,
// and uses it up: a one-time code's step is kept (it works once), a recovery
// code is taken off.
code_use use_code(store::agent_record& r, std::string_view code) {
    if (r.totp_secret.empty()) return code_use::wrong;
    if (two_factor::looks_like_totp(code)) {
        auto now = two_factor::step_at(std::chrono::system_clock::now());
        auto step = two_factor::matching_step(r.totp_secret, code, now, r.totp_last_step);
        if (!step) return code_use::wrong;
        r.totp_last_step = *step;
        return code_use::totp;
    }
    auto kept = split_space_separated(r.recovery_codes);
    auto it = std::find(kept.begin(), kept.end(), two_factor::recovery_code_hash(code));
    if (it == kept.end()) return code_use::wrong;
    kept.erase(it);
    r.recovery_codes = join_space_separated(kept);
    return code_use::recovery;
}

// Runs a store write to completion from plain code (start-up, the CLI).
void write_now(store::store& s, store::write_batch b) {
    net::io_context ioc;
    auto done = net::co_spawn(ioc, s.write(std::move(b)), net::use_future);
    ioc.run();
    done.get();
}

// The hash every login of an unknown user is checked against, so that
// timing does not tell which users exist. Made on the hashing thread, by
// the first login that needs it.
const std::string& decoy_hash() {
    static const std::string decoy = hash_password("not-a-real-password");
    return decoy;
}

// Failures per key within a sliding window.
class failure_log {
public:
    // How long until `key` may try again; zero when it may now.
    std::chrono::seconds blocked_for(const std::string& key, std::size_t max, std::chrono::seconds window,
                                     std::chrono::steady_clock::time_point now) {
        auto& q = failures_[key];
        while (!q.empty() && now - q.front() >= window) q.pop_front();
        if (q.size() < max) return std::chrono::seconds(0);
        auto wait = std::chrono::duration_cast<std::chrono::seconds>(q.front() + window - now);
        return std::max(wait, std::chrono::seconds(1));
    }
    void add(const std::string& key, std::size_t max, std::chrono::steady_clock::time_point now) {
        auto& q = failures_[key];
        q.push_back(now);
        while (q.size() > max) q.pop_front();  // bounded per key
        if (failures_.size() > 100000) failures_.clear();  // bounded overall: forget rather than grow
    }
    void clear(const std::string& key) { failures_.erase(key); }

private:
    std::unordered_map<std::string, std::deque<std::chrono::steady_clock::time_point>> failures_;
};

// One address, one account: a password link asked for by an address goes
// to one agent, and a mailbox holds the key to the account it names.
void refuse_anothers_address(const std::map<std::string, store::agent_record>& agents, const std::string& email,
                             const std::string& username) {
    if (email.empty()) return;
    auto wanted = ascii_lowered(email);
    for (auto& [name, r] : agents)
        if (name != username && !r.email.empty() && ascii_lowered(r.email) == wanted)
            throw agent_refusal(agent_refusal::kind::conflict, "the e-mail address " + email + " is " + name + "'s already");
}

}  // namespace

struct agents_service::impl {
    mutable std::mutex mutex;  // accounts and sessions; never held across an await
    std::map<std::string, store::agent_record> agents;
    std::unordered_map<std::string, store::session_record> sessions;  // by token hash
    // Two-factor secrets begun and not yet enabled, by username: in memory
    // only, as a restart meanwhile just means beginning again.
    std::unordered_map<std::string, std::string> pending_secrets;
    failure_log failures;
    net::thread_pool hashing{1};
    // A password's hash, made on the hashing thread. Its job is a named
    // local, as run_apart needs.
    net::awaitable<std::string> hashed(const std::string& password) {
        auto job = [&] { return hash_password(password); };
        co_return co_await run_apart(hashing.get_executor(), job);
    }
    // Account changes run one at a time, from reading the account to its
    // write: two at once would each write a copy read before the other's
    // write, and the later would undo the earlier (a password change
    // included). The turn is taken on this strand, which the semaphore needs.
    // A thread of its own, idle but for them: on the hashing thread, an
    // admin renaming an agent waited 3.3 s behind twenty logins' hashes.
    net::thread_pool accounts{1};
    net::strand<net::thread_pool::executor_type> changes{net::make_strand(accounts)};
    strand_semaphore turn{1};

    // The failed-login limit counts by username and by client address: a
    // wrong password at login, or as the current one of a password change.
    std::chrono::seconds wait_before_trying(const std::string& username, const std::string& address,
                                            const agents_options& o) {
        auto now = std::chrono::steady_clock::now();
        std::lock_guard lock(mutex);
        return std::max(failures.blocked_for("u:" + username, o.max_failed_logins, o.failure_window, now),
                        failures.blocked_for("a:" + address, o.max_failed_logins, o.failure_window, now));
    }
    // Expired sessions, dropped here at most once an hour, and from the store
    // with the login's write (the time returned): kept, a script that logs in
    // each minute left half a million of them a year, in memory and on disk.
    std::chrono::system_clock::time_point next_session_sweep{};
    std::optional<std::chrono::system_clock::time_point> sweep_sessions_if_due(std::chrono::system_clock::time_point now) {
        std::lock_guard lock(mutex);
        if (now < next_session_sweep) return std::nullopt;
        next_session_sweep = now + std::chrono::hours(1);
        std::erase_if(sessions, [&](auto& kv) { return kv.second.expires_at <= now; });
        return now;
    }
    void count_failure(const std::string& username, const std::string& address, const agents_options& o) {
        auto now = std::chrono::steady_clock::now();
        std::lock_guard lock(mutex);
        failures.add("u:" + username, o.max_failed_logins, now);
        failures.add("a:" + address, o.max_failed_logins, now);
    }
};

agents_service::agents_service(store::store& store, agents_options options)
    : store_(store), options_(options), impl_(std::make_unique<impl>()) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

agents_service::~agents_service() {
    impl_->accounts.join();
    impl_->hashing.join();
}

std::optional<std::string> agents_service::bootstrap(const std::string& admin_password) {
    auto now = std::chrono::system_clock::now();
    for (auto& a : store_.load_agents()) impl_->agents[a.username] = a;
    for (auto& s : store_.load_sessions(now)) impl_->sessions[s.token_hash] = s;

    bool fresh = impl_->agents.empty();
    if (!fresh && admin_password.empty()) return std::nullopt;
    if (!admin_password.empty())
        if (auto why = validate_password(admin_password); !why.empty())
            throw std::invalid_argument("--admin-password: " + why);
    auto password = admin_password.empty() ? random_hex_id("", 9) : admin_password;
    auto existing = impl_->agents.find("admin");
    store::agent_record r = existing != impl_->agents.end()
                                ? existing->second
                                : store::agent_record{"admin", "Administrator", "admin", {}, true, 5, now};
    r.password_hash = hash_password(password);
    store::write_batch b;
    b.agents_put.push_back(r);
    write_now(store_, std::move(b));
    impl_->agents[r.username] = r;
    // Only a generated password is shown: an operator's own stays out of the logs.
    if (fresh && admin_password.empty()) return password;
    return std::nullopt;
}

struct agents_service::two_factor_request {
    enum class kind { login, begin, enable, disable, renew } what;
    std::string username;
    std::string password;  // begin, disable
    std::string code;      // login, enable, disable, renew
    std::string address;
};

net::awaitable<agents_service::login_result> agents_service::login(std::string username, std::string password,
                                                                   std::string code, std::string address) {
    login_result out;
    out.retry_after = impl_->wait_before_trying(username, address, options_);
    if (out.retry_after.count() > 0) {
        out.what = login_result::outcome::rate_limited;
        co_return out;
    }
    auto record = store_.find_agent(username);
    // Verified even for unknown users, and for invited ones (who have no
    // password yet), so that timing does not tell which exist; the decoy's
    // own password lets none of them in.
    bool usable = record && !is_unusable_password_hash(record->password_hash);
    auto verify = [&] { return verify_password(password, usable ? record->password_hash : decoy_hash()); };
    bool ok = co_await run_apart(impl_->hashing.get_executor(), verify);
    ok = ok && usable && record->active;
    if (!ok) {
        impl_->count_failure(username, address, options_);
        co_return out;
    }
    if (!record->totp_secret.empty()) {
        if (code.empty()) {  // not a failure: the password was right, and the console asks for the code next
            out.what = login_result::outcome::code_required;
            co_return out;
        }
        auto checked = check_second_factor(username, code, address);
        auto second = co_await std::move(checked);
        using second_outcome = two_factor_result::outcome;
        if (second.what == second_outcome::rate_limited) {
            out.what = login_result::outcome::rate_limited;
            out.retry_after = second.retry_after;
            co_return out;
        }
        if (second.what == second_outcome::wrong_code) {
            out.what = login_result::outcome::wrong_code;
            co_return out;
        }  // else done, or not_on: an admin turned it off meanwhile, and the password is enough
        out.used_recovery_code = second.used_recovery_code;
        record = store_.find_agent(username);  // as the code's use left it
        if (!record) co_return login_result{};
    }

    auto token = random_hex_id("", 32);  // 256 bits
    auto wall = std::chrono::system_clock::now();
    store::session_record session{sha256_hex(token), record->username, wall, wall + options_.session_ttl};
    store::write_batch b;
    b.sessions_put.push_back(session);
    b.sessions_expired_by = impl_->sweep_sessions_if_due(wall);
    co_await store_.write(std::move(b));
    {
        std::lock_guard lock(impl_->mutex);
        impl_->failures.clear("u:" + username);
        impl_->sessions[session.token_hash] = session;
        impl_->agents[record->username] = *record;
    }
    out.what = login_result::outcome::ok;
    out.token = std::move(token);
    out.who = public_view(*record);
    co_return out;
}

net::awaitable<void> agents_service::logout(std::string token) {
    auto h = sha256_hex(token);
    {
        std::lock_guard lock(impl_->mutex);
        impl_->sessions.erase(h);
    }
    store::write_batch b;
    b.sessions_remove.push_back(h);
    co_await store_.write(std::move(b));
}

bool agents_service::session_live(const std::string& token_hash) const {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->sessions.find(token_hash);
    if (it == impl_->sessions.end() || it->second.expires_at <= std::chrono::system_clock::now()) return false;
    auto a = impl_->agents.find(it->second.username);
    return a != impl_->agents.end() && a->second.active;
}

bool agents_service::is_api_token(std::string_view token) const {
    auto h = sha256_hex(token);
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->sessions.find(h);
    return it != impl_->sessions.end() && !it->second.name.empty();
}

std::optional<agent> agents_service::authenticate(std::string_view token) const {
    if (token.empty()) return std::nullopt;
    auto h = sha256_hex(token);
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->sessions.find(h);
    if (it == impl_->sessions.end() || it->second.expires_at <= std::chrono::system_clock::now()) return std::nullopt;
    auto a = impl_->agents.find(it->second.username);
    if (a == impl_->agents.end() || !a->second.active) return std::nullopt;
    return public_view(a->second);
}

std::vector<agent> agents_service::list() const {
    std::lock_guard lock(impl_->mutex);
    std::vector<agent> out;
    for (auto& [_, r] : impl_->agents) out.push_back(public_view(r));
    return out;
}

std::optional<agent> agents_service::find(std::string_view username) const {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->agents.find(std::string(username));
    if (it == impl_->agents.end()) return std::nullopt;
    return public_view(it->second);
}

net::awaitable<agent> agents_service::create(std::string username, std::string password, std::string role,
                                             std::string display_name, std::string email) {
    co_return co_await net::co_spawn(impl_->changes, create_in_turn(username, password, role, display_name, email),
                                     net::use_awaitable);
}

net::awaitable<agent> agents_service::create_in_turn(std::string username, std::string password, std::string role,
                                                     std::string display_name, std::string email) {
    co_await impl_->turn.acquire();
    semaphore_permit permit(impl_->turn);
    bool invited = password.empty() && !email.empty();
    // Named, not conditionals in the list: GCC 12 mishandles such temporaries in coroutines.
    std::string password_refusal, email_refusal;
    if (!invited) password_refusal = validate_password(password);
    if (!email.empty()) email_refusal = validate_email(email);
    for (auto why : {validate_username(username), password_refusal, validate_role(role), email_refusal})
        if (!why.empty()) throw std::invalid_argument(why);
    if (display_name.empty()) display_name = username;
    if (display_name.size() > 256) throw std::invalid_argument("display_name must be 1 to 64 characters");
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->agents.count(username)) throw agent_refusal(agent_refusal::kind::conflict, "agent " + username + " exists already");
        refuse_anothers_address(impl_->agents, email, username);
    }
    std::string hash = unusable_password_hash();
    if (!invited) hash = co_await impl_->hashed(password);
    store::agent_record r{username, display_name, role, hash, true, 5, std::chrono::system_clock::now()};
    r.email = email;
    co_await save(r, {});
    co_return public_view(r);
}

namespace {

std::optional<store::agent_record> by_username_or_email(const std::map<std::string, store::agent_record>& agents,
                                                        const std::string& login) {
    if (auto it = agents.find(login); it != agents.end()) return it->second;
    for (auto& [_, r] : agents)
        if (!r.email.empty() && ascii_lowered(r.email) == login) return r;
    return std::nullopt;
}

}  // namespace

agents_service::reset_request agents_service::password_reset_link(std::string_view login, const std::string& address) {
    reset_request out;
    auto typed = ascii_lowered(std::string(login));
    std::optional<store::agent_record> record;
    {
        auto now = std::chrono::steady_clock::now();
        std::lock_guard lock(impl_->mutex);
        auto& f = impl_->failures;
        constexpr auto hour = std::chrono::hours(1);
        auto per_login = options_.max_reset_mails, per_client = options_.max_reset_mails_per_client;
        out.retry_after = std::max(f.blocked_for("reset-u:" + typed, per_login, hour, now),
                                   f.blocked_for("reset-a:" + address, per_client, hour, now));
        if (out.retry_after.count() > 0) return out;
        f.add("reset-u:" + typed, per_login, now);
        f.add("reset-a:" + address, per_client, now);
        record = by_username_or_email(impl_->agents, typed);
    }
    if (!record || !record->active || record->email.empty()) return out;
    // The stored hash, not the cached one: `switchboard agent passwd` may have changed it.
    auto stored = store_.find_agent(record->username);
    if (!stored) return out;
    auto expires = std::chrono::system_clock::now() + reset_link_life;
    out.link = mailed_link{make_password_link(link_purpose::reset, stored->username, expires, stored->password_hash),
                           public_view(*stored)};
    return out;
}

net::awaitable<agents_service::mailed_link> agents_service::invite(std::string username) {
    co_return co_await net::co_spawn(impl_->changes, invite_in_turn(username), net::use_awaitable);
}

net::awaitable<agents_service::mailed_link> agents_service::invite_in_turn(std::string username) {
    co_await impl_->turn.acquire();
    semaphore_permit permit(impl_->turn);
    auto record = store_.find_agent(username);
    if (!record) throw agent_refusal(agent_refusal::kind::not_found, "no agent named " + username);
    if (!is_unusable_password_hash(record->password_hash))
        throw agent_refusal(agent_refusal::kind::conflict, username + " has chosen a password already");
    if (!record->active) throw agent_refusal(agent_refusal::kind::conflict, username + " is deactivated");
    if (record->email.empty()) throw agent_refusal(agent_refusal::kind::conflict, username + " has no e-mail address");
    record->password_hash = unusable_password_hash();  // the earlier invitations' links stop working
    co_await save(*record, {});
    mailed_link out;
    auto expires = std::chrono::system_clock::now() + invitation_link_life;
    out.token = make_password_link(link_purpose::invitation, username, expires, record->password_hash);
    out.who = public_view(*record);
    co_return out;
}

net::awaitable<std::optional<agents_service::link_use>> agents_service::set_password_by_link(std::string token,
                                                                                            std::string password) {
    co_return co_await net::co_spawn(impl_->changes, set_password_by_link_in_turn(token, password), net::use_awaitable);
}

net::awaitable<std::optional<agents_service::link_use>> agents_service::set_password_by_link_in_turn(
    std::string token, std::string password) {
    co_await impl_->turn.acquire();
    semaphore_permit permit(impl_->turn);
    if (auto why = validate_password(password); !why.empty()) throw std::invalid_argument(why);
    auto link = read_password_link(token);
    if (!link) co_return std::nullopt;
    auto record = store_.find_agent(link->username);
    if (!record || !record->active || !password_link_holds(*link, record->password_hash, std::chrono::system_clock::now()))
        co_return std::nullopt;
    record->password_hash = co_await impl_->hashed(password);
    link_use out;
    out.purpose = link->purpose;
    {
        std::lock_guard lock(impl_->mutex);
        out.ended_sessions = drop_sessions_locked(record->username, {});
    }
    co_await save(*record, out.ended_sessions);
    out.who = public_view(*record);
    co_return out;
}

namespace {

std::size_t count_active_admins(const std::map<std::string, store::agent_record>& agents) {
    return static_cast<std::size_t>(std::count_if(
        agents.begin(), agents.end(), [](auto& kv) { return kv.second.role == "admin" && kv.second.active; }));
}

// The changes on a copy of `r`; throws when a value is refused.
store::agent_record changed(store::agent_record r, const agent_changes& c,
                            const std::map<std::string, store::agent_record>& all) {
    if (c.available) r.available = *c.available;
    if (c.max_chats) {
        if (*c.max_chats < 1 || *c.max_chats > 100) throw std::invalid_argument("max_chats must be from 1 to 100");
        r.max_chats = *c.max_chats;
    }
    if (c.display_name) {
        if (c.display_name->empty() || c.display_name->size() > 256)
            throw std::invalid_argument("display_name must be 1 to 64 characters");
        r.display_name = *c.display_name;
    }
    if (c.signature) {
        if (c.signature->size() > max_signature_bytes)
            throw std::invalid_argument("signature must be at most " + std::to_string(max_signature_chars) + " characters");
        r.signature = *c.signature;
    }
    if (c.email) {
        if (!c.email->empty())
            if (auto why = validate_email(*c.email); !why.empty()) throw std::invalid_argument(why);
        refuse_anothers_address(all, *c.email, r.username);
        r.email = *c.email;
    }
    if (c.role)
        if (auto why = validate_role(*c.role); !why.empty()) throw std::invalid_argument(why);
    // The team keeps an active admin: someone must be able to manage it.
    bool steps_down = (c.role && *c.role != "admin") || (c.active && !*c.active);
    if (steps_down && r.role == "admin" && r.active && count_active_admins(all) == 1)
        throw agent_refusal(agent_refusal::kind::conflict,
                            r.username + " is the only admin: make another agent admin first");
    if (c.role) r.role = *c.role;
    if (c.active) r.active = *c.active;
    if (c.two_factor) {
        if (*c.two_factor)
            throw std::invalid_argument("two_factor is turned on only by the agent, with a code from their app");
        r.totp_secret.clear();
        r.recovery_codes.clear();
    }
    return r;
}

}  // namespace

std::vector<std::string> agents_service::drop_sessions_locked(const std::string& username, const std::string& keep_hash) {
    std::vector<std::string> dropped;
    for (auto it = impl_->sessions.begin(); it != impl_->sessions.end();) {
        if (it->second.username == username && it->first != keep_hash) {
            dropped.push_back(it->first);
            it = impl_->sessions.erase(it);
        } else {
            ++it;
        }
    }
    return dropped;
}

net::awaitable<agent> agents_service::update(std::string username, agent_changes changes,
                                             std::vector<std::string>* ended_sessions) {
    co_return co_await net::co_spawn(impl_->changes, update_in_turn(username, changes, ended_sessions),
                                     net::use_awaitable);
}

net::awaitable<agent> agents_service::update_in_turn(std::string username, agent_changes changes,
                                                     std::vector<std::string>* ended_sessions) {
    co_await impl_->turn.acquire();
    semaphore_permit permit(impl_->turn);
    if (changes.password)
        if (auto why = validate_password(*changes.password); !why.empty()) throw std::invalid_argument(why);
    store::agent_record r;
    {
        std::lock_guard lock(impl_->mutex);
        auto it = impl_->agents.find(username);
        if (it == impl_->agents.end()) throw agent_refusal(agent_refusal::kind::not_found, "no agent named " + username);
        r = changed(it->second, changes, impl_->agents);
    }
    if (changes.password)
        r.password_hash = co_await impl_->hashed(*changes.password);
    else if (auto stored = store_.find_agent(username))
        r.password_hash = stored->password_hash;  // not the cached one: `switchboard agent passwd` may have changed it
    std::vector<std::string> dropped;
    if (changes.password || !r.active) {
        std::lock_guard lock(impl_->mutex);
        dropped = drop_sessions_locked(username, {});
    }
    co_await save(r, dropped);
    if (ended_sessions) *ended_sessions = std::move(dropped);
    co_return public_view(r);
}

net::awaitable<agents_service::password_change> agents_service::change_own_password(std::string username,
                                                                                    std::string current,
                                                                                    std::string next,
                                                                                    std::string keep_token,
                                                                                    std::string address) {
    co_return co_await net::co_spawn(impl_->changes,
                                     change_own_password_in_turn(username, current, next, keep_token, address),
                                     net::use_awaitable);
}

net::awaitable<agents_service::password_change> agents_service::change_own_password_in_turn(
    std::string username, std::string current, std::string next, std::string keep_token, std::string address) {
    co_await impl_->turn.acquire();
    semaphore_permit permit(impl_->turn);
    password_change out;
    if (auto why = validate_password(next); !why.empty()) throw std::invalid_argument(why);
    auto checked = co_await password_checked(username, current, address);
    out.retry_after = checked.check.retry_after;
    if (checked.check.what != password_check::outcome::right) {
        if (checked.check.what == password_check::outcome::rate_limited) out.what = password_change::outcome::rate_limited;
        co_return out;
    }
    auto& record = checked.record;
    record->password_hash = co_await impl_->hashed(next);
    {
        std::lock_guard lock(impl_->mutex);
        out.ended_sessions = drop_sessions_locked(username, sha256_hex(keep_token));
    }
    co_await save(*record, out.ended_sessions);
    out.what = password_change::outcome::changed;
    co_return out;
}

net::awaitable<agents_service::password_check> agents_service::check_own_password(std::string username,
                                                                                  std::string password,
                                                                                  std::string address) {
    co_return co_await net::co_spawn(impl_->changes, check_own_password_in_turn(username, password, address),
                                     net::use_awaitable);
}

net::awaitable<agents_service::password_check> agents_service::check_own_password_in_turn(std::string username,
                                                                                          std::string password,
                                                                                          std::string address) {
    co_await impl_->turn.acquire();
    semaphore_permit permit(impl_->turn);
    auto checked = co_await password_checked(username, password, address);
    co_return checked.check;
}

// From the store, not the cache: `switchboard agent passwd` may have changed it.
net::awaitable<agents_service::checked_password> agents_service::password_checked(std::string username,
                                                                                 std::string password,
                                                                                 std::string address) {
    checked_password out;
    out.check.retry_after = impl_->wait_before_trying(username, address, options_);
    if (out.check.retry_after.count() > 0) {
        out.check.what = password_check::outcome::rate_limited;
        co_return out;
    }
    out.record = store_.find_agent(username);
    if (!out.record) throw agent_refusal(agent_refusal::kind::not_found, "no agent named " + username);
    auto verify = [&] { return verify_password(password, out.record->password_hash); };
    if (!co_await run_apart(impl_->hashing.get_executor(), verify)) {
        impl_->count_failure(username, address, options_);
        co_return out;
    }
    out.check.what = password_check::outcome::right;
    co_return out;
}

net::awaitable<void> agents_service::set_password(std::string username, std::string password) {
    agent_changes c;
    c.password = std::move(password);
    co_await update(std::move(username), std::move(c));
}

namespace {

constexpr std::size_t api_token_id_size = 16;

agents_service::api_token token_view(const store::session_record& s) {
    return {s.token_hash.substr(0, api_token_id_size), s.name, s.created_at};
}

}  // namespace

net::awaitable<agents_service::new_api_token> agents_service::create_api_token(std::string username, std::string name) {
    co_return co_await net::co_spawn(impl_->changes, create_api_token_in_turn(username, name), net::use_awaitable);
}

// In turn, so that two at once cannot both pass the count.
net::awaitable<agents_service::new_api_token> agents_service::create_api_token_in_turn(std::string username,
                                                                                      std::string name) {
    co_await impl_->turn.acquire();
    semaphore_permit permit(impl_->turn);
    if (name.empty() || name.size() > 256) throw std::invalid_argument("name must be 1 to 64 characters");
    if (api_tokens(username).size() >= max_api_tokens)
        throw agent_refusal(agent_refusal::kind::conflict, username + " has " + std::to_string(max_api_tokens) +
                                                               " API tokens already: revoke one first");
    auto token = random_hex_id("", 32);  // 256 bits, as a login's
    auto now = std::chrono::system_clock::now();
    // A century: no sweep of expired sessions ever takes it.
    store::session_record s{sha256_hex(token), username, now, now + std::chrono::hours(24 * 365 * 100), name};
    store::write_batch b;
    b.sessions_put.push_back(s);
    co_await store_.write(std::move(b));
    std::lock_guard lock(impl_->mutex);
    impl_->sessions[s.token_hash] = s;
    co_return new_api_token{std::move(token), token_view(s)};
}

std::vector<agents_service::api_token> agents_service::api_tokens(std::string_view username) const {
    std::vector<api_token> out;
    {
        std::lock_guard lock(impl_->mutex);
        for (auto& [_, s] : impl_->sessions)
            if (s.username == username && !s.name.empty()) out.push_back(token_view(s));
    }
    std::sort(out.begin(), out.end(),
              [](auto& a, auto& b) { return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id); });
    return out;
}

net::awaitable<std::optional<std::string>> agents_service::revoke_api_token(std::string username, std::string id) {
    std::optional<std::string> hash;
    {
        std::lock_guard lock(impl_->mutex);
        for (auto& [h, s] : impl_->sessions)
            if (s.username == username && !s.name.empty() && id.size() == api_token_id_size && h.starts_with(id))
                hash = h;
        if (hash) impl_->sessions.erase(*hash);
    }
    if (!hash) co_return std::nullopt;
    store::write_batch b;
    b.sessions_remove.push_back(*hash);
    co_await store_.write(std::move(b));
    co_return hash;
}

// Not coroutines: GCC 12 destroys a brace-made argument of a call within a
// coroutine twice, and these are where the requests are made.
net::awaitable<agents_service::two_factor_result> agents_service::two_factor_turn(two_factor_request request) {
    return net::co_spawn(impl_->changes, two_factor_in_turn(std::move(request)), net::use_awaitable);
}

net::awaitable<agents_service::two_factor_result> agents_service::begin_two_factor(std::string username,
                                                                                   std::string password,
                                                                                   std::string address) {
    return two_factor_turn({two_factor_request::kind::begin, std::move(username), std::move(password), {},
                            std::move(address)});
}

net::awaitable<agents_service::two_factor_result> agents_service::enable_two_factor(std::string username,
                                                                                    std::string code,
                                                                                    std::string address) {
    return two_factor_turn(
        {two_factor_request::kind::enable, std::move(username), {}, std::move(code), std::move(address)});
}

net::awaitable<agents_service::two_factor_result> agents_service::disable_two_factor(std::string username,
                                                                                     std::string password,
                                                                                     std::string code,
                                                                                     std::string address) {
    return two_factor_turn({two_factor_request::kind::disable, std::move(username), std::move(password),
                            std::move(code), std::move(address)});
}

net::awaitable<agents_service::two_factor_result> agents_service::new_recovery_codes(std::string username,
                                                                                     std::string code,
                                                                                     std::string address) {
    return two_factor_turn(
        {two_factor_request::kind::renew, std::move(username), {}, std::move(code), std::move(address)});
}

net::awaitable<agents_service::two_factor_result> agents_service::check_second_factor(std::string username,
                                                                                      std::string code,
                                                                                      std::string address) {
    return two_factor_turn(
        {two_factor_request::kind::login, std::move(username), {}, std::move(code), std::move(address)});
}

std::optional<std::string> agents_service::pending_two_factor_secret(std::string_view username) const {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->pending_secrets.find(std::string(username));
    if (it == impl_->pending_secrets.end()) return std::nullopt;
    return it->second;
}

// In turn with every other change of the account: a code's use is a write of
// it, which must not undo (or be undone by) an admin's change meanwhile.
net::awaitable<agents_service::two_factor_result> agents_service::two_factor_in_turn(two_factor_request q) {
    co_await impl_->turn.acquire();
    semaphore_permit permit(impl_->turn);
    using kind = two_factor_request::kind;
    using outcome = two_factor_result::outcome;
    two_factor_result out;
    out.retry_after = impl_->wait_before_trying(q.username, q.address, options_);
    if (out.retry_after.count() > 0) {
        out.what = outcome::rate_limited;
        co_return out;
    }
    // From the store, not the cache: `switchboard agent passwd` may have changed the password.
    auto record = store_.find_agent(q.username);
    if (!record) throw agent_refusal(agent_refusal::kind::not_found, "no agent named " + q.username);
    auto refused = [&](outcome why) {
        impl_->count_failure(q.username, q.address, options_);
        out.what = why;
        return out;
    };
    bool on = !record->totp_secret.empty();
    if (on && (q.what == kind::begin || q.what == kind::enable)) {
        out.what = outcome::already_on;
        co_return out;
    }
    if (!on && (q.what == kind::login || q.what == kind::disable || q.what == kind::renew)) {
        out.what = outcome::not_on;
        co_return out;
    }
    if (q.what == kind::disable && two_factor_required()) {
        out.what = outcome::required_by_team;
        co_return out;
    }
    if (q.what == kind::begin || q.what == kind::disable) {
        auto verify = [&] { return verify_password(q.password, record->password_hash); };
        if (!co_await run_apart(impl_->hashing.get_executor(), verify)) co_return refused(outcome::wrong_password);
    }
    if (q.what == kind::begin) {
        out.secret = two_factor::new_secret();
        std::lock_guard lock(impl_->mutex);
        impl_->pending_secrets[q.username] = out.secret;
        out.who = public_view(*record);
        co_return out;
    }
    if (q.what == kind::enable) {
        auto pending = pending_two_factor_secret(q.username);
        if (!pending) {
            out.what = outcome::not_begun;
            co_return out;
        }
        auto now = two_factor::step_at(std::chrono::system_clock::now());
        auto step = two_factor::matching_step(*pending, q.code, now, 0);
        if (!step) co_return refused(outcome::wrong_code);
        record->totp_secret = *pending;
        record->totp_last_step = *step;
    } else {  // login, disable, renew: a code from the app, or a recovery code
        auto used = use_code(*record, q.code);
        if (used == code_use::wrong) co_return refused(outcome::wrong_code);
        out.used_recovery_code = used == code_use::recovery;
        if (q.what == kind::disable) {
            record->totp_secret.clear();
            record->recovery_codes.clear();
        }
    }
    if (q.what == kind::enable || q.what == kind::renew) {
        out.recovery_codes = two_factor::new_recovery_codes();
        std::vector<std::string> hashes;
        for (auto& c : out.recovery_codes) hashes.push_back(two_factor::recovery_code_hash(c));
        record->recovery_codes = join_space_separated(hashes);
    }
    co_await save(*record, {});
    if (q.what == kind::enable) {
        std::lock_guard lock(impl_->mutex);
        impl_->pending_secrets.erase(q.username);
    }
    out.who = public_view(*record);
    co_return out;
}

net::awaitable<void> agents_service::save(store::agent_record r, std::vector<std::string> ended_sessions) {
    store::write_batch b;
    b.agents_put.push_back(r);
    b.sessions_remove = std::move(ended_sessions);
    co_await store_.write(std::move(b));
    std::lock_guard lock(impl_->mutex);
    impl_->agents[r.username] = std::move(r);
}

}  // namespace switchboard::auth
