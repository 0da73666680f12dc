// Mails about an agent's own account, through the real server and a real
// SMTP receiver: passwords chosen from a mailed link ("Forgot your
// password?", and an admin's invitation by e-mail, where the agent chooses
// their first), and the notice of each change to the account's security.
#include "api_session.hpp"
#include "authenticator_app.hpp"
#include "http_client.hpp"
#include "server_process.hpp"
#include "smtp_receiver.hpp"
#include "sqlite_probe.hpp"
#include "temp_dir.hpp"

#include "switchboard/auth/password_link.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <map>
#include <optional>

using namespace switchboard::test;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace auth = switchboard::auth;

namespace {

constexpr const char* console = "https://support.example.test/console/";

// A server's arguments that mail through `smtp`, its console at `console`.
std::vector<std::string> mailing(const smtp_receiver& smtp, std::vector<std::string> args = {}) {
    std::vector<std::string> more{"--smtp-url", smtp.url(), "--smtp-from", "Switchboard <support@example.com>",
                                  "--public-url", console};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

// The link's token in a mail: what follows "#password=" up to the line's end.
std::string token_in(const received_mail& m) {
    auto body = m.body();
    auto at = body.find(std::string(console) + "#password=");
    BOOST_TEST_REQUIRE(at != std::string::npos, body);
    at += std::string(console).size() + 10;
    return body.substr(at, body.find_first_of("\r\n", at) - at);
}

http_result ask_for_mail(unsigned short port, const std::string& login) {
    return http_request(port, "POST", "/auth/password-reset", json::serialize(json::object{{"login", login}}));
}

http_result choose(unsigned short port, const std::string& token, const std::string& password) {
    return http_request(port, "POST", "/auth/password-reset/confirm",
                        json::serialize(json::object{{"token", token}, {"password", password}}));
}

unsigned login_status(unsigned short port, const std::string& username, const std::string& password) {
    return log_in(port, username, password).status;
}

std::vector<std::string> audited_actions(const api_client& admin) {
    std::vector<std::string> out;
    auto entries = admin.json("GET", "/audit-log").at("entries").as_array();
    for (auto& e : entries) out.emplace_back(e.at("action").as_string());
    return out;
}

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// The agent as GET /agents lists them, if it does.
std::optional<json::object> listed_agent(const api_client& admin, const std::string& username) {
    auto agents = admin.json("GET", "/agents").at("agents").as_array();
    for (auto& a : agents)
        if (a.at("username") == username.c_str()) return a.as_object();
    return std::nullopt;
}

// eve, with a password and an address.
api_client eve_with_address(const api_client& admin) {
    auto eve = agent_client(admin, "eve");
    admin.json("PATCH", "/agents/eve", R"({"email":"Eve@Example.com","display_name":"Eve Adams"})");
    return eve;
}

// A server that mails through its own SMTP receiver, and its admin.
struct mailing_server {
    smtp_receiver smtp;
    server_process server{mailing(smtp)};
    unsigned short p = server.port();
    api_client admin = admin_client(server);
};

}  // namespace

BOOST_AUTO_TEST_SUITE(password_reset)

BOOST_FIXTURE_TEST_CASE(a_forgotten_password_is_chosen_anew_from_the_mailed_link, mailing_server) {
    auto eve = eve_with_address(admin);

    // By the address, however it is capitalised; the link is the console's
    // public address, whatever Host the request named.
    auto asked = http_request(p, "POST", "/auth/password-reset", R"({"login":" eve@example.COM "})",
                              {{"Host", "attacker.example"}});
    BOOST_TEST(asked.status == 202u, asked.body);
    auto mail = smtp.wait_for(1).at(0);
    BOOST_TEST(mail.to == std::vector<std::string>{"Eve@Example.com"}, boost::test_tools::per_element());
    BOOST_TEST(mail.header("Subject") == "Choose a new Switchboard password");
    BOOST_TEST(mail.body().find("Hello Eve Adams,") != std::string::npos, mail.body());
    BOOST_TEST(mail.body().find("attacker") == std::string::npos);
    auto token = token_in(mail);

    // A password the rules refuse leaves the link working.
    auto short_one = choose(p, token, "short");
    BOOST_TEST(refused_field(short_one) == "password");
    auto chosen = choose(p, token, "a-new-password-1");
    BOOST_TEST(chosen.status == 200u, chosen.body);
    auto body = json::parse(chosen.body);
    BOOST_TEST(body.at("purpose").as_string() == "reset");
    BOOST_TEST(body.at("agent").at("username").as_string() == "eve");

    BOOST_TEST(login_status(p, "eve", "secret-eve") == 401u);
    BOOST_TEST(login_status(p, "eve", "a-new-password-1") == 200u);
    BOOST_TEST(eve.call("GET", "/me").status == 401u);  // whoever held the old password is logged out
    // It works once.
    auto again = choose(p, token, "a-third-password");
    BOOST_TEST(again.status == 400u);
    BOOST_TEST(error_code(again) == "invalid_link");
    BOOST_TEST(login_status(p, "eve", "a-new-password-1") == 200u);

    auto actions = audited_actions(admin);
    BOOST_TEST(has(actions, "agent.password_mail_asked"));
    BOOST_TEST(has(actions, "agent.password_reset"));
}

BOOST_FIXTURE_TEST_CASE(the_answer_tells_nobody_who_has_an_account, mailing_server) {
    agent_client(admin, "noaddress");
    agent_client(admin, "gone");
    admin.json("PATCH", "/agents/gone", R"({"email":"gone@example.com"})");
    admin.json("PATCH", "/agents/gone", R"({"active":false})");
    eve_with_address(admin);

    auto known = ask_for_mail(p, "eve");
    for (auto login : {"nobody", "nobody@example.com", "noaddress", "gone", "gone@example.com"}) {
        auto r = ask_for_mail(p, login);
        BOOST_TEST(r.status == 202u, login);
        BOOST_TEST(r.body == known.body, login);
    }
    // Mails go in the order asked: one to eve after them all means none went before it.
    ask_for_mail(p, "eve@example.com");
    auto mails = smtp.wait_for(2);
    BOOST_TEST(mails.size() == 2u);
    for (auto& m : mails) BOOST_TEST(m.to == std::vector<std::string>{"Eve@Example.com"}, boost::test_tools::per_element());
    // Admins see each asked about, mailed or not.
    std::map<std::string, bool> mailed;
    auto entries = admin.json("GET", "/audit-log").at("entries").as_array();
    for (auto& e : entries)
        if (e.at("action") == "agent.password_mail_asked")
            mailed[std::string(e.at("target").as_string())] |= e.at("details").at("mailed").as_bool();
    BOOST_TEST(mailed.size() == 6u);
    BOOST_TEST(mailed["eve"]);
    BOOST_TEST(!mailed["nobody@example.com"]);
    BOOST_TEST(!mailed["gone"]);
}

BOOST_AUTO_TEST_CASE(a_link_dies_when_it_expires_is_altered_or_a_later_one_is_used) {
    temp_dir data;
    smtp_receiver smtp;
    server_process server(mailing(smtp, kept_in(data.path())));
    auto p = server.port();
    auto admin = known_admin(p);
    eve_with_address(admin);

    // Made as the server makes them, with the account's hash: expired, and
    // the same but for its time.
    auto hash = sqlite_value(data.path() / "switchboard.db", "SELECT password_hash FROM agents WHERE username = 'eve'");
    auto now = std::chrono::system_clock::now();
    auto expired = auth::make_password_link(auth::link_purpose::reset, "eve", now - 1s, hash);
    auto current = auth::make_password_link(auth::link_purpose::reset, "eve", now + 1min, hash);
    BOOST_TEST(error_code(choose(p, expired, "expired-password-1")) == "invalid_link");
    // Another agent's name, or another purpose, in a link: its HMAC no longer holds.
    auto for_admin = current.substr(0, current.size() - 3) + "admin";
    BOOST_TEST(error_code(choose(p, for_admin, "takeover-password")) == "invalid_link");
    auto as_invitation = "i" + current.substr(1);
    BOOST_TEST(error_code(choose(p, as_invitation, "takeover-password")) == "invalid_link");
    for (auto junk : {"", "r.", "r.1.abc.eve", "x.99999999999.0000.eve"})
        BOOST_TEST(choose(p, junk, "whatever-password").status == 400u, junk);

    // Two mails asked for; the later one used: the earlier stops working.
    ask_for_mail(p, "eve");
    ask_for_mail(p, "eve");
    auto mails = smtp.wait_for(2);
    BOOST_TEST(choose(p, token_in(mails[1]), "second-link-password").status == 200u);
    BOOST_TEST(error_code(choose(p, token_in(mails[0]), "first-link-password")) == "invalid_link");
    BOOST_TEST(error_code(choose(p, current, "made-link-password")) == "invalid_link");
    BOOST_TEST(login_status(p, "eve", "second-link-password") == 200u);
}

BOOST_AUTO_TEST_CASE(a_link_works_across_a_restart) {
    temp_dir data;
    smtp_receiver smtp;
    std::string token;
    {
        server_process server(mailing(smtp, kept_in(data.path())));
        eve_with_address(known_admin(server.port()));
        ask_for_mail(server.port(), "eve");
        token = token_in(smtp.wait_for(1).at(0));
        server.send_signal(SIGTERM);
        BOOST_TEST_REQUIRE(server.wait_exit(10s).has_value());
    }
    server_process server(mailing(smtp, kept_in(data.path())));
    BOOST_TEST(choose(server.port(), token, "after-restart-1").status == 200u);
    BOOST_TEST(login_status(server.port(), "eve", "after-restart-1") == 200u);
}

BOOST_FIXTURE_TEST_CASE(too_many_mails_wait_an_hour, mailing_server) {
    eve_with_address(admin);
    for (int i = 0; i < 3; ++i) BOOST_TEST(ask_for_mail(p, "eve").status == 202u);
    auto refused = ask_for_mail(p, "eve");
    BOOST_TEST(refused.status == 429u);
    BOOST_TEST(error_code(refused) == "too_many_attempts");
    auto wait = std::stoi(refused.header("retry-after"));
    BOOST_TEST((wait > 3000 && wait <= 3600), wait);
    BOOST_TEST(smtp.wait_for(3).size() == 3u);
    // Ten from one client, whatever they name (a refused one is not
    // counted): more would mail a crowd.
    for (int i = 0; i < 7; ++i) BOOST_TEST(ask_for_mail(p, "someone" + std::to_string(i)).status == 202u);
    BOOST_TEST(ask_for_mail(p, "someone-else").status == 429u);
}

BOOST_FIXTURE_TEST_CASE(bad_input_is_refused_naming_the_field, mailing_server) {
    BOOST_TEST(refused_field(http_request(p, "POST", "/auth/password-reset", "{}")) == "login");
    BOOST_TEST(refused_field(http_request(p, "POST", "/auth/password-reset", R"({"login":"   "})")) == "login");
    BOOST_TEST(refused_field(http_request(p, "POST", "/auth/password-reset", R"({"login":7})")) == "login");
    BOOST_TEST(refused_field(http_request(p, "POST", "/auth/password-reset", "not json")) == "body");
    BOOST_TEST(refused_field(http_request(p, "POST", "/auth/password-reset/confirm", R"({"password":"long-enough-1"})")) ==
               "token");
    BOOST_TEST(refused_field(http_request(p, "POST", "/auth/password-reset/confirm", R"({"token":"r.1","password":5})")) ==
               "password");
}

BOOST_AUTO_TEST_CASE(a_server_without_email_says_so) {
    server_process server(std::vector<std::string>{});
    auto p = server.port();
    auto asked = ask_for_mail(p, "admin");
    BOOST_TEST(asked.status == 503u);
    BOOST_TEST(error_code(asked) == "email_not_configured");
    // Nor does it invite: an agent is added with a password.
    auto admin = admin_client(server);
    auto invited = admin.call("POST", "/agents", R"({"username":"lea","email":"lea@example.com"})");
    BOOST_TEST(refused_field(invited) == "password");
    BOOST_TEST(refusal_message(invited, 400).find("--smtp-url") != std::string::npos);
    BOOST_TEST(admin.call("GET", "/agents").body.find("\"lea\"") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(invitations)

BOOST_FIXTURE_TEST_CASE(an_admin_invites_an_agent_who_chooses_their_password, mailing_server) {
    auto made = admin.json("POST", "/agents", R"({"username":"lea","email":"lea@example.com","display_name":"Lea Park"})",
                           201);
    BOOST_TEST(made.at("invited").as_bool());
    BOOST_TEST(made.at("email").as_string() == "lea@example.com");
    auto mail = smtp.wait_for(1).at(0);
    BOOST_TEST(mail.to == std::vector<std::string>{"lea@example.com"}, boost::test_tools::per_element());
    BOOST_TEST(mail.header("Subject") == "Administrator invited you to Switchboard");
    BOOST_TEST(mail.body().find("Your username is lea.") != std::string::npos, mail.body());
    BOOST_TEST(mail.body().find("within 7 days") != std::string::npos, mail.body());

    // No password lets an invited agent in until they choose one.
    // Not even the password an invited account's login is checked against, so that it takes as long as any.
    for (auto guess : {"", "unset$", "not-a-password", "not-a-real-password"})
        BOOST_TEST(login_status(p, "lea", guess) == 401u, guess);
    auto chosen = choose(p, token_in(mail), "leas-own-password");
    BOOST_TEST(chosen.status == 200u, chosen.body);
    BOOST_TEST(json::parse(chosen.body).at("purpose").as_string() == "invitation");
    BOOST_TEST(json::parse(chosen.body).at("agent").at("invited").as_bool() == false);
    BOOST_TEST(login_status(p, "lea", "leas-own-password") == 200u);

    auto actions = audited_actions(admin);
    BOOST_TEST(has(actions, "agent.invited"));
    BOOST_TEST(has(actions, "agent.invitation_accepted"));
    // Once chosen, there is nothing to invite them to.
    BOOST_TEST(admin.call("POST", "/agents/lea/invitation").status == 409u);
}

BOOST_AUTO_TEST_CASE(a_new_invitation_replaces_the_last) {
    temp_dir data;
    smtp_receiver smtp;
    std::string first;
    {
        server_process server(mailing(smtp, kept_in(data.path())));
        auto admin = known_admin(server.port());
        admin.json("POST", "/agents", R"({"username":"lea","email":"lea@example.com"})", 201);
        first = token_in(smtp.wait_for(1).at(0));
        server.send_signal(SIGTERM);
        BOOST_TEST_REQUIRE(server.wait_exit(10s).has_value());
    }
    // Still invited after a restart; the admin sends it again.
    server_process server(mailing(smtp, kept_in(data.path())));
    auto p = server.port();
    auto admin = known_admin(p);
    auto lea = listed_agent(admin, "lea");
    BOOST_TEST_REQUIRE(lea.has_value());
    BOOST_TEST(lea->at("invited").as_bool());
    auto agent = agent_client(admin, "max");
    BOOST_TEST(agent.call("POST", "/agents/lea/invitation").status == 403u);
    BOOST_TEST(admin.call("POST", "/agents/nobody/invitation").status == 404u);
    BOOST_TEST(admin.json("POST", "/agents/lea/invitation").at("invited").as_bool());
    auto second = token_in(smtp.wait_for(2).at(1));
    BOOST_TEST(error_code(choose(p, first, "first-invitation-1")) == "invalid_link");
    BOOST_TEST(choose(p, second, "second-invitation-1").status == 200u);
    BOOST_TEST(login_status(p, "lea", "second-invitation-1") == 200u);
}

BOOST_FIXTURE_TEST_CASE(an_invitation_needs_an_address_that_is_one, mailing_server) {
    BOOST_TEST(refused_field(admin.call("POST", "/agents", R"({"username":"lea"})")) == "password");
    BOOST_TEST(refused_field(admin.call("POST", "/agents", R"({"username":"lea","email":"not an address"})")) == "email");
    BOOST_TEST(refused_field(admin.call("POST", "/agents", R"({"username":"lea","email":"lea@example.com","password":"short"})")) ==
               "password");
    // An address with a password: no invitation, and the address kept.
    auto made = admin.json("POST", "/agents",
                           R"({"username":"lea","email":"lea@example.com","password":"leas-password-1"})", 201);
    BOOST_TEST(made.at("invited").as_bool() == false);
    BOOST_TEST(made.at("email").as_string() == "lea@example.com");
    BOOST_TEST(login_status(server.port(), "lea", "leas-password-1") == 200u);
    BOOST_TEST(admin.call("POST", "/agents/lea/invitation").status == 409u);
    // Mails go in the order asked: this one first means no invitation went.
    ask_for_mail(server.port(), "lea");
    BOOST_TEST(smtp.wait_for(1).at(0).header("Subject") == "Choose a new Switchboard password");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(account_notices)

// Each change to an agent's account's security is mailed to them, with
// when and from where: one they did not make tells them someone has it.
BOOST_FIXTURE_TEST_CASE(an_agent_is_told_of_each_change_to_their_accounts_security, mailing_server) {
    auto eve = eve_with_address(admin);
    std::size_t mails = 0;
    auto next_mail = [&] {
        ++mails;
        return smtp.wait_for(mails).at(mails - 1);
    };
    auto next_is = [&](const std::string& subject) {
        auto m = next_mail();
        BOOST_TEST(m.to == std::vector<std::string>{"Eve@Example.com"}, boost::test_tools::per_element());
        BOOST_TEST(m.header("Subject") == "Switchboard: " + subject);
        BOOST_TEST(m.body().find("your account eve, ") != std::string::npos, m.body());
        BOOST_TEST(m.body().find("from 127.0.0.1") != std::string::npos, m.body());
        return m;
    };

    eve.json("POST", "/auth/password", R"({"current_password":"secret-eve","new_password":"eve-password-2"})");
    next_is("Your password was changed");
    auto app = turn_on(eve, "eve-password-2");
    next_is("Two-factor authentication was turned on");
    BOOST_TEST(log_in(p, "eve", "eve-password-2", app.recovery_codes[0]).status == 200u);
    next_is("A recovery code was used to log in; 9 are left");
    admin.json("PATCH", "/agents/eve", R"({"two_factor":false})");
    next_is("An admin, Administrator, turned off your two-factor authentication");
    admin.json("PATCH", "/agents/eve", R"({"password":"set-by-the-admin"})");
    next_is("An admin, Administrator, set a new password for your account");
    ask_for_mail(p, "eve");
    auto link = token_in(next_mail());
    BOOST_TEST(choose(p, link, "eve-password-3").status == 200u);
    next_is("Your password was changed, from a link mailed to you");

    // An agent without an address is told nothing; nor is one for a change
    // that is no change of security (a name).
    auto max = agent_client(admin, "max");
    max.json("POST", "/auth/password", R"({"current_password":"secret-max","new_password":"max-password-2"})");
    admin.json("PATCH", "/agents/eve", R"({"display_name":"Eve A."})");
    eve = api_client{p, login(p, "eve", "eve-password-3")};
    eve.json("POST", "/auth/password", R"({"current_password":"eve-password-3","new_password":"eve-password-4"})");
    next_is("Your password was changed");  // the next mail, in the order asked: none came between
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(agent_addresses)

namespace {

std::string email_of(const api_client& admin, const std::string& username) {
    auto a = listed_agent(admin, username);
    return a ? std::string(a->at("email").as_string()) : "(no agent " + username + ")";
}

}  // namespace

// One address, one account, in any case: a password link asked for by an
// address goes to one agent.
BOOST_FIXTURE_TEST_CASE(an_address_is_one_agents_in_any_case, mailing_server) {
    auto eve = eve_with_address(admin);  // Eve@Example.com
    auto max = agent_client(admin, "max");
    const std::string taken = "the e-mail address EVE@example.com is eve's already";
    BOOST_TEST(refusal_message(admin.call("POST", "/agents", R"({"username":"lea","email":"EVE@example.com"})"), 409) ==
               taken);
    BOOST_TEST(email_of(admin, "lea") == "(no agent lea)");
    BOOST_TEST(refusal_message(admin.call("PATCH", "/agents/max", R"({"email":"EVE@example.com"})"), 409) == taken);
    BOOST_TEST(refusal_message(max.call("PATCH", "/agents/max",
                                        R"({"email":"EVE@example.com","current_password":"secret-max"})"),
                               409) == taken);
    BOOST_TEST(email_of(admin, "max") == "");

    // One's own address in another case is the same mailbox: no password asked, nobody told.
    BOOST_TEST(eve.json("PATCH", "/agents/eve", R"({"email":"eve@example.com"})").at("email") == "eve@example.com");
    ask_for_mail(p, "EVE@EXAMPLE.COM");
    auto first = smtp.wait_for(1).at(0);  // neither the refused invitation's nor a notice came first
    BOOST_TEST(first.to == std::vector<std::string>{"eve@example.com"}, boost::test_tools::per_element());
    BOOST_TEST(first.body().find("account, eve.") != std::string::npos, first.body());
}

// A password link goes to the agent's address: a session left open must not
// send the next one elsewhere. A new address asks for the password, and the
// one it replaces is told, as GitHub does.
BOOST_FIXTURE_TEST_CASE(a_new_address_asks_for_the_password_and_the_old_one_is_told, mailing_server) {
    auto eve = eve_with_address(admin);
    BOOST_TEST(refused_field(eve.call("PATCH", "/agents/eve", R"({"email":"thief@example.net"})")) == "current_password");
    BOOST_TEST(refused_field(eve.call("PATCH", "/agents/eve",
                                      R"({"email":"thief@example.net","current_password":"a-guess-1"})")) ==
               "current_password");
    BOOST_TEST(email_of(admin, "eve") == "Eve@Example.com");
    BOOST_TEST(eve.json("PATCH", "/agents/eve", R"({"email":"eve@new.example","current_password":"secret-eve"})")
                   .at("email") == "eve@new.example");
    auto told = [&](std::size_t n, const std::string& to, const std::string& what) {
        auto m = smtp.wait_for(n).at(n - 1);
        BOOST_TEST(m.to == std::vector<std::string>{to}, boost::test_tools::per_element());
        BOOST_TEST(m.header("Subject") == "Switchboard: " + what);
    };
    told(1, "Eve@Example.com", "Your e-mail address was changed to eve@new.example");
    admin.json("PATCH", "/agents/eve", R"({"email":"eve@third.example"})");  // an admin's: no password of theirs asked
    told(2, "eve@new.example", "An admin, Administrator, changed your e-mail address to eve@third.example");
    admin.json("PATCH", "/agents/eve", R"({"email":""})");
    told(3, "eve@third.example", "An admin, Administrator, removed your e-mail address");

    // A first address asks for it too, and a wrong one counts as a failed
    // login (5 from one client address, with eve's above).
    auto max = agent_client(admin, "max");
    BOOST_TEST(refused_field(max.call("PATCH", "/agents/max", R"({"email":"max@example.com"})")) == "current_password");
    for (int i = 0; i < 4; ++i)
        BOOST_TEST(refused_field(max.call("PATCH", "/agents/max",
                                          R"({"email":"max@example.com","current_password":"a-guess-2"})")) ==
                   "current_password");
    auto limited = max.call("PATCH", "/agents/max", R"({"email":"max@example.com","current_password":"secret-max"})");
    BOOST_TEST(limited.status == 429u);
    BOOST_TEST(!limited.header("retry-after").empty());
    BOOST_TEST(email_of(admin, "max") == "");
}

BOOST_AUTO_TEST_SUITE_END()
