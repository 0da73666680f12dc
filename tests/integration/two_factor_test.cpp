// Two-factor authentication through the real server: an agent turns it on
// with a code from their app, each login then asks for one, a code works
// once, recovery codes let them in without the phone, and an admin or the
// machine's operator turns it off for someone locked out.
#include "api_session.hpp"
#include "authenticator_app.hpp"
#include "http_client.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"

#include "switchboard/auth/two_factor.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>

using namespace switchboard::test;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace tf = switchboard::auth::two_factor;

namespace {

bool two_factor_of(const api_client& agent) { return agent.json("GET", "/me").at("agent").at("two_factor").as_bool(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(two_factor)

BOOST_AUTO_TEST_CASE(an_agent_turns_it_on_with_a_code_from_their_app) {
    server_process server;
    auto admin = admin_client(server);
    auto lea = agent_client(admin, "lea");  // password "secret-lea"
    BOOST_TEST(!two_factor_of(lea));

    // The password first: a session left open cannot lock its agent out.
    auto wrong = lea.call("POST", "/auth/two-factor/setup", R"({"password":"not-hers-at-all"})");
    BOOST_TEST(refused_field(wrong) == "password");
    BOOST_TEST(refused_field(lea.call("POST", "/auth/two-factor/setup", "{}")) == "password");
    // A login's code, when given, is text.
    BOOST_TEST(refused_field(http_request(server.port(), "POST", "/auth/login",
                                          R"({"username":"lea","password":"secret-lea","code":123456})")) == "code");
    BOOST_TEST(lea.call("GET", "/auth/two-factor/qr.svg").status == 404u);
    BOOST_TEST(refusal_message(lea.call("POST", "/auth/two-factor/enable", R"({"code":"123456"})"), 409)
                   .find("POST /auth/two-factor/setup") != std::string::npos);

    auto begun = lea.json("POST", "/auth/two-factor/setup", R"({"password":"secret-lea"})");
    std::string secret(begun.at("secret").as_string());
    BOOST_TEST(tf::base32_decode(secret).value().size() == 20u);
    BOOST_TEST(begun.at("otpauth_uri").as_string() ==
               "otpauth://totp/Switchboard:lea?secret=" + secret + "&issuer=Switchboard&algorithm=SHA1&digits=6&period=30");
    auto qr = lea.call("GET", begun.at("qr").as_string().c_str());
    BOOST_TEST(qr.status == 200u);
    BOOST_TEST(qr.header("content-type") == "image/svg+xml");
    BOOST_TEST(qr.header("cache-control") == "no-store");
    BOOST_TEST(qr.body.starts_with("<svg "));
    // Begun, not on: a secret the app never took would lock her out.
    BOOST_TEST(!two_factor_of(lea));
    BOOST_TEST(log_in(server.port(), "lea", "secret-lea").status == 200u);

    // A code from another secret, or none that is a code, turns nothing on.
    auto other = tf::new_secret();
    BOOST_TEST(refused_field(lea.call("POST", "/auth/two-factor/enable",
                                      json::serialize(json::object{{"code", app_code(other, step_now())}}))) == "code");
    BOOST_TEST(refused_field(lea.call("POST", "/auth/two-factor/enable", R"({"code":""})")) == "code");
    BOOST_TEST(refused_field(lea.call("POST", "/auth/two-factor/enable", "{}")) == "code");
    BOOST_TEST(!two_factor_of(lea));

    auto enabled = lea.json("POST", "/auth/two-factor/enable",
                            json::serialize(json::object{{"code", app_code(secret, step_now())}}));
    BOOST_TEST(enabled.at("agent").at("two_factor").as_bool());
    BOOST_TEST(enabled.at("agent").at("recovery_codes_left").as_int64() == 10);
    BOOST_TEST(enabled.at("recovery_codes").as_array().size() == 10u);
    BOOST_TEST(two_factor_of(lea));
    BOOST_TEST(lea.json("GET", "/me").at("agent").at("recovery_codes_left").as_int64() == 10);
    BOOST_TEST(lea.call("GET", "/auth/two-factor/qr.svg").status == 404u);  // the set-up is over
    // Every agent sees who has it on; only she sees her recovery codes' count.
    auto agents = admin.json("GET", "/agents");
    for (auto& a : agents.at("agents").as_array()) {
        BOOST_TEST(a.at("two_factor").as_bool() == (a.at("username") == "lea"));
        BOOST_TEST(!a.as_object().contains("recovery_codes_left"));
    }
    BOOST_TEST(refusal_message(lea.call("POST", "/auth/two-factor/setup", R"({"password":"secret-lea"})"), 409)
                   .find("on already") != std::string::npos);

    std::vector<std::string> actions;
    auto log = admin.json("GET", "/audit-log");
    for (auto& e : log.at("entries").as_array())
        if (e.at("actor") == "lea" && e.at("action").as_string().starts_with("agent.")) actions.emplace_back(e.at("action").as_string());
    BOOST_TEST(actions == std::vector<std::string>{"agent.two_factor_enabled"});
}

BOOST_AUTO_TEST_CASE(each_login_then_asks_for_a_code_that_works_once) {
    server_process server;
    auto admin = admin_client(server);
    auto lea = agent_client(admin, "lea");
    auto on = turn_on(lea, "secret-lea");
    auto port = server.port();

    auto bare = log_in(port, "lea", "secret-lea");
    BOOST_TEST(bare.status == 401u);
    BOOST_TEST(error_code(bare) == "two_factor_required");
    BOOST_TEST(bare.header("set-cookie").empty());
    // A wrong password says so first, code or not: the code is no hint.
    // (Four failures from this address in all: the fifth would block it.)
    BOOST_TEST(error_code(log_in(port, "lea", "not-hers-at-all", app_code(on.secret, on.step + 1))) == "invalid_credentials");
    // The code that turned it on is used: seen over a shoulder, it lets nobody in.
    BOOST_TEST(error_code(log_in(port, "lea", "secret-lea", app_code(on.secret, on.step))) == "invalid_code");

    auto next = app_code(on.secret, on.step + 1);  // within a step of the server's clock
    auto in = log_in(port, "lea", "secret-lea", next.substr(0, 3) + " " + next.substr(3));
    BOOST_TEST(in.status == 200u, in.body);
    api_client session{port, std::string(json::parse(in.body).at("token").as_string())};
    BOOST_TEST(session.json("GET", "/me").at("agent").at("username") == "lea");
    BOOST_TEST(error_code(log_in(port, "lea", "secret-lea", next)) == "invalid_code");  // once

    // A recovery code, however typed, once; and the audit log says so.
    std::string upper;
    for (char c : on.recovery_codes[3]) upper.push_back(c == '-' ? ' ' : static_cast<char>(std::toupper(c)));
    BOOST_TEST(log_in(port, "lea", "secret-lea", upper).status == 200u);
    BOOST_TEST(error_code(log_in(port, "lea", "secret-lea", on.recovery_codes[3])) == "invalid_code");
    BOOST_TEST(lea.json("GET", "/me").at("agent").at("recovery_codes_left").as_int64() == 9);

    json::array logins;
    auto log = admin.json("GET", "/audit-log");
    for (auto& e : log.at("entries").as_array())
        if (e.at("actor") == "lea" && e.at("action").as_string().starts_with("session.login"))
            logins.push_back(json::object{{"action", e.at("action")}, {"details", e.at("details")}});
    auto a = [](const char* action, json::object more) {
        json::object details{{"address", "127.0.0.1"}};
        for (auto& [k, v] : more) details[k] = v;
        return json::value(json::object{{"action", action}, {"details", std::move(details)}});
    };
    json::array expected{a("session.login_failed", {{"reason", "code"}}),
                         a("session.login", {{"recovery_code", true}, {"recovery_codes_left", 9}}),
                         a("session.login_failed", {{"reason", "code"}}),
                         a("session.login", {}),
                         a("session.login_failed", {{"reason", "code"}}),
                         a("session.login_failed", {}),
                         a("session.login", {})};  // agent_client's, before it was on
    BOOST_TEST(json::serialize(logins) == json::serialize(expected));
}

// Wrong codes count as failed logins, at a login or given to renew the
// recovery codes: a guesser who has the password gets five tries in five
// minutes, not a million.
BOOST_AUTO_TEST_CASE(wrong_codes_count_as_failed_logins) {
    server_process server;
    auto admin = admin_client(server);
    auto lea = agent_client(admin, "lea");
    auto on = turn_on(lea, "secret-lea");
    for (int i = 0; i < 4; ++i) BOOST_TEST(error_code(log_in(server.port(), "lea", "secret-lea", "000000")) == "invalid_code");
    BOOST_TEST(refused_field(lea.call("POST", "/auth/two-factor/recovery-codes", R"({"code":"000000"})")) == "code");
    auto limited = log_in(server.port(), "lea", "secret-lea", app_code(on.secret, on.step + 1));
    BOOST_TEST(limited.status == 429u);
    BOOST_TEST(!limited.header("retry-after").empty());
    BOOST_TEST(lea.call("POST", "/auth/two-factor/recovery-codes",
                        json::serialize(json::object{{"code", on.recovery_codes[0]}})).status == 429u);
}

BOOST_AUTO_TEST_CASE(turning_it_off_asks_for_the_password_and_a_code) {
    server_process server;
    auto admin = admin_client(server);
    auto lea = agent_client(admin, "lea");
    BOOST_TEST(refusal_message(lea.call("POST", "/auth/two-factor/disable", R"({"password":"secret-lea","code":"123456"})"),
                               409) == "two-factor authentication is off");
    BOOST_TEST(lea.call("POST", "/auth/two-factor/recovery-codes", R"({"code":"123456"})").status == 409u);
    auto on = turn_on(lea, "secret-lea");

    // New recovery codes, for a code: the old ones stop working.
    auto renewed = lea.json("POST", "/auth/two-factor/recovery-codes",
                            json::serialize(json::object{{"code", on.recovery_codes[0]}}));
    BOOST_TEST(renewed.at("recovery_codes").as_array().size() == 10u);
    BOOST_TEST(renewed.at("agent").at("recovery_codes_left").as_int64() == 10);
    BOOST_TEST(error_code(log_in(server.port(), "lea", "secret-lea", on.recovery_codes[1])) == "invalid_code");
    std::string fresh(renewed.at("recovery_codes").at(0).as_string());

    auto off = [&](const std::string& password, const std::string& code) {
        return lea.call("POST", "/auth/two-factor/disable",
                        json::serialize(json::object{{"password", password}, {"code", code}}));
    };
    BOOST_TEST(refused_field(off("not-hers-at-all", fresh)) == "password");
    BOOST_TEST(refused_field(off("secret-lea", "000000")) == "code");
    BOOST_TEST(refused_field(lea.call("POST", "/auth/two-factor/disable", R"({"password":"secret-lea"})")) == "code");
    BOOST_TEST(two_factor_of(lea));
    auto done = off("secret-lea", app_code(on.secret, on.step + 1));
    BOOST_TEST(done.status == 200u, done.body);
    BOOST_TEST(!two_factor_of(lea));
    BOOST_TEST(log_in(server.port(), "lea", "secret-lea").status == 200u);
    BOOST_TEST(log_in(server.port(), "lea", "secret-lea", fresh).status == 200u);  // a code is not asked for now
}

// Lost phone, lost recovery codes: an admin turns it off for a colleague,
// never on, and never their own (that asks for a code).
BOOST_AUTO_TEST_CASE(an_admin_turns_off_a_colleagues) {
    server_process server;
    auto admin = admin_client(server);
    auto lea = agent_client(admin, "lea");
    auto bob = agent_client(admin, "bob");
    turn_on(lea, "secret-lea");
    BOOST_TEST(bob.call("PATCH", "/agents/lea", R"({"two_factor":false})").status == 403u);
    BOOST_TEST(lea.call("PATCH", "/agents/lea", R"({"two_factor":false})").status == 403u);
    BOOST_TEST(refused_field(admin.call("PATCH", "/agents/bob", R"({"two_factor":true})")) == "two_factor");
    BOOST_TEST(refused_field(admin.call("PATCH", "/agents/lea", R"({"two_factor":"no"})")) == "two_factor");
    BOOST_TEST(two_factor_of(lea));
    BOOST_TEST(!admin.json("PATCH", "/agents/lea", R"({"two_factor":false})").at("two_factor").as_bool());
    BOOST_TEST(!two_factor_of(lea));
    BOOST_TEST(log_in(server.port(), "lea", "secret-lea").status == 200u);
    auto entry = admin.json("GET", "/audit-log").at("entries").at(1);  // before the login just now
    BOOST_TEST(entry.at("action") == "agent.updated");
    BOOST_TEST(entry.at("target") == "lea");
    BOOST_TEST(json::serialize(entry.at("details")) == R"({"two_factor":false})");
}

// Kept in the store: a restart asks for a code as before, and the code used
// before it stays used.
BOOST_AUTO_TEST_CASE(it_stays_on_across_a_restart) {
    temp_dir dir;
    turned_on on;
    std::string next;
    {
        server_process server(kept_in(dir.path()));
        auto lea = agent_client(known_admin(server.port()), "lea");
        on = turn_on(lea, "secret-lea");
        next = app_code(on.secret, on.step + 1);
        BOOST_TEST(log_in(server.port(), "lea", "secret-lea", next).status == 200u);
        BOOST_TEST(log_in(server.port(), "lea", "secret-lea", on.recovery_codes[0]).status == 200u);
        server.send_signal(SIGTERM);
        server.wait_exit(10s);
    }
    server_process server(kept_in(dir.path()));
    BOOST_TEST(error_code(log_in(server.port(), "lea", "secret-lea")) == "two_factor_required");
    BOOST_TEST(error_code(log_in(server.port(), "lea", "secret-lea", next)) == "invalid_code");
    BOOST_TEST(error_code(log_in(server.port(), "lea", "secret-lea", on.recovery_codes[0])) == "invalid_code");
    BOOST_TEST(log_in(server.port(), "lea", "secret-lea", on.recovery_codes[1]).status == 200u);
}

// The way back in for a team whose only admin is locked out: the operator,
// on the machine, while no server runs on the directory.
BOOST_AUTO_TEST_CASE(the_operator_turns_it_off_from_the_shell) {
    temp_dir dir;
    auto data = dir.path().string();
    {
        server_process server(kept_in(dir.path()));
        turn_on(known_admin(server.port()), known_admin_password);
        auto refused = run_binary({"agent", "two-factor-off", "admin", "--data", data});
        BOOST_TEST(refused.exit_code == 1);
        BOOST_TEST(refused.err.find(R"(PATCH /agents/admin {"two_factor":false})") != std::string::npos, refused.err);
        BOOST_TEST(error_code(log_in(server.port(), "admin", known_admin_password)) == "two_factor_required");
        server.send_signal(SIGTERM);
        server.wait_exit(10s);
    }
    BOOST_TEST(run_binary({"agent", "two-factor-off", "Admin!", "--data", data}).exit_code == 2);
    BOOST_TEST(run_binary({"agent", "two-factor-off", "--data", data}).exit_code == 2);
    BOOST_TEST(run_binary({"agent", "two-factor-off", "nobody", "--data", data}).exit_code == 1);
    auto done = run_binary({"agent", "two-factor-off", "admin", "--data", data});
    BOOST_TEST(done.exit_code == 0, done.err);
    BOOST_TEST(done.out == "two-factor authentication is off for admin\n");
    server_process server(kept_in(dir.path()));
    auto admin = known_admin(server.port());  // the password alone
    auto entry = admin.json("GET", "/audit-log").at("entries").at(1);
    BOOST_TEST(entry.at("actor") == "(operator)");
    BOOST_TEST(entry.at("action") == "agent.updated");
    BOOST_TEST(json::serialize(entry.at("details")) == R"({"two_factor":false})");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(two_factor_required)

// An admin requires it of the team (having it themselves): an agent without
// it may then only set it up, with the session they have, and their scripts'
// API tokens act on. Kept across a restart.
BOOST_AUTO_TEST_CASE(the_team_requires_it_and_an_agent_without_it_may_only_set_it_up) {
    temp_dir dir;
    std::string lea_session, lea_script;
    {
        server_process server(kept_in(dir.path()));
        auto admin = known_admin(server.port());
        auto lea = agent_client(admin, "lea");
        auto bob = agent_client(admin, "bob");
        lea_session = lea.token;
        lea_script = std::string(lea.json("POST", "/auth/tokens", R"({"name":"CRM sync"})", 201).at("token").as_string());
        BOOST_TEST(admin.json("GET", "/settings/security").at("require_two_factor").as_bool() == false);

        BOOST_TEST(refusal_message(admin.call("PUT", "/settings/security", R"({"require_two_factor":true})"), 409)
                       .find("turn on your own") != std::string::npos);
        BOOST_TEST(bob.call("PUT", "/settings/security", R"({"require_two_factor":true})").status == 403u);
        BOOST_TEST(refused_field(admin.call("PUT", "/settings/security", R"({"require_two_factor":"yes"})")) ==
                   "require_two_factor");
        BOOST_TEST(refused_field(admin.call("PUT", "/settings/security", R"({"require_two_factor":true,"x":1})")) == "x");
        BOOST_TEST(bob.json("GET", "/conversations").is_object());  // nothing changed
        turn_on(admin, known_admin_password);
        BOOST_TEST(admin.json("PUT", "/settings/security", R"({"require_two_factor":true})").at("require_two_factor").as_bool());
        BOOST_TEST(admin.json("GET", "/settings/security").at("require_two_factor").as_bool());
        auto log = admin.json("GET", "/audit-log");
        auto& entry = log.at("entries").at(0);
        BOOST_TEST(entry.at("action") == "security.updated");
        BOOST_TEST(json::serialize(entry.at("details")) == R"({"require_two_factor":true})");

        // Held: but for what sets it up.
        auto held = lea.call("GET", "/conversations");
        BOOST_TEST(held.status == 403u);
        BOOST_TEST(error_code(held) == "two_factor_setup_required");
        BOOST_TEST(lea.call("POST", "/auth/tokens", R"({"name":"another"})").status == 403u);
        BOOST_TEST(http_request(server.port(), "GET", "/ws?token=" + lea.token).status == 403u);
        auto me = lea.json("GET", "/me");
        BOOST_TEST(me.at("team_requires_two_factor").as_bool());
        BOOST_TEST(!me.at("agent").at("two_factor").as_bool());
        // A script's token acts on; the admin, who has it, too.
        BOOST_TEST(api_client({server.port(), lea_script}).call("GET", "/conversations").status == 200u);
        BOOST_TEST(admin.call("GET", "/conversations").status == 200u);
        BOOST_TEST(http_request(server.port(), "GET", "/ws?token=" + admin.token).status == 426u);  // past the hold

        auto lea_on = turn_on(lea, "secret-lea");  // with the session she has
        BOOST_TEST(lea.call("GET", "/conversations").status == 200u);
        // It stays on while the team requires it.
        BOOST_TEST(refusal_message(lea.call("POST", "/auth/two-factor/disable",
                                            json::serialize(json::object{{"password", "secret-lea"},
                                                                         {"code", lea_on.recovery_codes[0]}})),
                                   409)
                       .find("your team requires") != std::string::npos);
        BOOST_TEST(two_factor_of(lea));
        BOOST_TEST(bob.call("GET", "/conversations").status == 403u);
        server.send_signal(SIGTERM);
        server.wait_exit(10s);
    }
    server_process server(kept_in(dir.path()));
    BOOST_TEST(api_client({server.port(), lea_session}).call("GET", "/conversations").status == 200u);
    auto bob = api_client{server.port(), login(server.port(), "bob", "secret-bob")};
    BOOST_TEST(bob.call("GET", "/conversations").status == 403u);
    BOOST_TEST(bob.json("GET", "/me").at("team_requires_two_factor").as_bool());
}

BOOST_AUTO_TEST_SUITE_END()
