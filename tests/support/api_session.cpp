#include "api_session.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <stdexcept>

namespace switchboard::test {

std::string printed_admin_password(server_process& server) {
    if (!server.wait_for_stdout("admin password: ")) throw std::runtime_error("no admin password printed");
    server.wait_for_stdout("(user admin");
    auto out = server.stdout_text();
    auto at = out.find("admin password: ") + 16;
    return out.substr(at, out.find(' ', at) - at);
}

boost::json::value user_says(unsigned short port, const std::string& from, const std::string& text,
                             const std::string& name) {
    boost::json::object b{{"from", from}, {"text", text}};
    if (!name.empty()) b["name"] = name;
    auto res = http_request(port, "POST", "/webhook", boost::json::serialize(b));
    if (res.status != 200) throw std::runtime_error("the webhook refused " + from + "'s message: " + res.body);
    return boost::json::parse(res.body);
}

std::vector<std::string> users_write(unsigned short port, int count, long long first) {
    std::vector<std::string> phones;
    for (int i = 0; i < count; ++i) {
        phones.push_back(std::to_string(first + i));
        user_says(port, phones.back(), "hi");
    }
    return phones;
}

void act_in_bulk(const api_client& agent, const std::vector<std::string>& phones, const boost::json::object& action) {
    for (std::size_t from = 0; from < phones.size(); from += 200) {
        auto body = action;
        boost::json::array some;
        for (std::size_t i = from; i < std::min(phones.size(), from + 200); ++i) some.emplace_back(boost::json::string(phones[i]));
        body["phones"] = std::move(some);
        auto done = agent.json("POST", "/conversations/bulk", boost::json::serialize(body));
        if (done.at("failed").as_int64() != 0)
            throw std::runtime_error("a bulk action failed: " + boost::json::serialize(done));
    }
}

void whatsapp_user_says(unsigned short port, const std::string& from, const std::string& id, const std::string& text) {
    boost::json::value v = {
        {"object", "whatsapp_business_account"},
        {"entry",
         {{{"id", "1"},
           {"changes",
            {{{"field", "messages"},
              {"value",
               {{"messaging_product", "whatsapp"},
                {"metadata", {{"display_phone_number", "15550783881"}, {"phone_number_id", "106540352242922"}}},
                {"contacts", {{{"profile", {{"name", "Sam"}}}, {"wa_id", from}}}},
                {"messages",
                 {{{"from", from}, {"id", id}, {"timestamp", "1763900000"}, {"type", "text"},
                   {"text", {{"body", text}}}}}}}}}}}}}}};
    auto res = http_request(port, "POST", "/webhook/whatsapp", boost::json::serialize(v));
    if (res.status != 200) throw std::runtime_error("the WhatsApp webhook refused " + from + "'s message: " + res.body);
}

std::string login(unsigned short port, const std::string& username, const std::string& password) {
    auto res = http_request(port, "POST", "/auth/login",
                            R"({"username":")" + username + R"(","password":")" + password + R"("})");
    if (res.status != 200) throw std::runtime_error("login as " + username + " failed: " + res.body);
    return std::string(boost::json::parse(res.body).at("token").as_string());
}

http_result api_client::call(const std::string& method, const std::string& target, const std::string& body) const {
    return http_request(port, method, target, body, {{"Authorization", "Bearer " + token}});
}

boost::json::value api_client::json(const std::string& method, const std::string& target, const std::string& body,
                                    unsigned expect) const {
    auto res = call(method, target, body);
    if (res.status != expect)
        throw std::runtime_error(method + " " + target + " answered " + std::to_string(res.status) + ", expected " +
                                 std::to_string(expect) + ": " + res.body);
    return boost::json::parse(res.body);
}

api_client admin_client(server_process& server) {
    return {server.port(), login(server.port(), "admin", printed_admin_password(server))};
}

namespace {

boost::json::value error_of(const http_result& r, unsigned status) {
    if (r.status != status)
        throw std::runtime_error("answered " + std::to_string(r.status) + ", expected " + std::to_string(status) + ": " +
                                 r.body);
    return boost::json::parse(r.body).at("error");
}

}  // namespace

std::string refused_field(const http_result& r) {
    return std::string(error_of(r, 400).at("field").as_string());
}

std::string refusal_message(const http_result& r, unsigned status) {
    return std::string(error_of(r, status).at("message").as_string());
}

std::string error_code(const http_result& r) {
    return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
}

std::vector<std::string> kept_in(const std::filesystem::path& data) {
    return {"--data", data.string(), "--admin-password", known_admin_password};
}

api_client known_admin(unsigned short port) { return {port, login(port, "admin", known_admin_password)}; }

api_client agent_client(const api_client& admin, const std::string& username, const std::string& role) {
    admin.json("POST", "/agents",
               R"({"username":")" + username + R"(","password":"secret-)" + username + R"(","role":")" + role +
                   R"(","display_name":")" + username + R"( Display"})",
               201);
    return {admin.port, login(admin.port, username, "secret-" + username)};
}

}  // namespace switchboard::test
