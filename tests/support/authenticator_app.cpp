#include "authenticator_app.hpp"

#include "switchboard/auth/two_factor.hpp"

#include <boost/json.hpp>

namespace switchboard::test {

namespace json = boost::json;
namespace tf = switchboard::auth::two_factor;

std::int64_t step_now() { return tf::step_at(std::chrono::system_clock::now()); }

std::string app_code(const std::string& secret, std::int64_t step) {
    return tf::hotp(tf::base32_decode(secret).value(), static_cast<std::uint64_t>(step));
}

turned_on turn_on(const api_client& agent, const std::string& password) {
    auto begun = agent.json("POST", "/auth/two-factor/setup", json::serialize(json::object{{"password", password}}));
    turned_on out{std::string(begun.at("secret").as_string()), step_now(), {}};
    auto enabled = agent.json("POST", "/auth/two-factor/enable",
                              json::serialize(json::object{{"code", app_code(out.secret, out.step)}}));
    for (auto& c : enabled.at("recovery_codes").as_array()) out.recovery_codes.emplace_back(c.as_string());
    return out;
}

http_result log_in(unsigned short port, const std::string& username, const std::string& password,
                   const std::string& code) {
    json::object body{{"username", username}, {"password", password}};
    if (!code.empty()) body["code"] = code;
    return http_request(port, "POST", "/auth/login", json::serialize(body));
}

}  // namespace switchboard::test
