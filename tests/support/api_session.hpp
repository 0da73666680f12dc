// A server with a logged-in admin: the usual start of an API test.
#pragma once

#include "http_client.hpp"
#include "server_process.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace switchboard::test {

// The admin password the server printed on first start.
std::string printed_admin_password(server_process& server);

// A plain-webhook user writes (with the name their channel gives, if any);
// throws unless the webhook answers 200. Returns its answer.
boost::json::value user_says(unsigned short port, const std::string& from, const std::string& text,
                             const std::string& name = {});

// A WhatsApp user's text, as Meta's webhook brings it (to the business
// number 106540352242922, the user's profile named Sam); throws unless it
// is answered 200.
void whatsapp_user_says(unsigned short port, const std::string& from, const std::string& id, const std::string& text);
// `count` plain-webhook users write "hi", numbered from `first` on; their numbers.
std::vector<std::string> users_write(unsigned short port, int count, long long first);
// Logs in; throws unless it works. Returns the token.
std::string login(unsigned short port, const std::string& username, const std::string& password);

// Requests with a bearer token; the body parsed when it is JSON.
struct api_client {
    unsigned short port;
    std::string token;
    http_result call(const std::string& method, const std::string& target, const std::string& body = {}) const;
    boost::json::value json(const std::string& method, const std::string& target, const std::string& body = {},
                            unsigned expect = 200) const;
};

api_client admin_client(server_process& server);

// One bulk action (`action`: its "action" and fields) on every one of
// `phones`, 200 a request, the route's most; throws unless each is done.
void act_in_bulk(const api_client& agent, const std::vector<std::string>& phones, const boost::json::object& action);

// The field a 400 answer names; throws, with the answer, for any other status.
std::string refused_field(const http_result& r);
// The message of an error answer of `status`; throws, with the answer, for any other.
std::string refusal_message(const http_result& r, unsigned status);
// The code of an error answer (`two_factor_required`), whatever its status.
std::string error_code(const http_result& r);

// The admin's password in tests that start a server more than once (a
// first start makes one up): each start then logs in alike.
inline constexpr const char* known_admin_password = "long-password-1";
// A server's arguments: its data kept in `data`, the admin's password known_admin_password.
std::vector<std::string> kept_in(const std::filesystem::path& data);
// The admin, logged in with known_admin_password.
api_client known_admin(unsigned short port);
// Creates an agent (as `admin`) and logs them in.
api_client agent_client(const api_client& admin, const std::string& username, const std::string& role = "agent");

}  // namespace switchboard::test
