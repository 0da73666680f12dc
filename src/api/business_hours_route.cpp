// GET /business-hours: when the team answers, and where that stands now, so
// the console can show agents what users are told.
#include "request_helpers.hpp"

#include "switchboard/chat/business_hours.hpp"
#include "switchboard/chat/json.hpp"
#include "switchboard/core/time.hpp"

namespace switchboard::api {

namespace json = boost::json;

namespace {

json::object hours_json(const chat::business_hours* hours, timestamp now) {
    if (!hours)
        return {{"configured", false}, {"timezone", nullptr}, {"hours", json::array{}}, {"days_off", json::array{}},
                {"open_now", true},    {"opens_at", nullptr}, {"closes_at", nullptr}};
    json::array ranges;
    for (auto& r : hours->ranges())
        ranges.push_back({{"day", chat::business_hours::weekday_name(r.weekday)},
                          {"open", chat::business_hours::clock_text(r.from)},
                          {"close", chat::business_hours::clock_text(r.to)}});
    json::array days_off;
    for (auto& day : hours->days_off()) days_off.push_back(json::string(day));
    auto state = hours->at(now);
    return {{"configured", true},
            {"timezone", hours->zone_name()},
            {"hours", std::move(ranges)},
            {"days_off", std::move(days_off)},
            {"open_now", state.open},
            {"opens_at", state.open ? json::value(nullptr) : chat::optional_time(state.change)},
            {"closes_at", state.open ? chat::optional_time(state.change) : json::value(nullptr)}};
}

}  // namespace

void add_business_hours_route(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/business-hours",
               authed(ctx, [hours = ctx.hours](http::request&, const auth::agent&) -> boost::asio::awaitable<http::response> {
                   co_return json_response(200, hours_json(hours, std::chrono::system_clock::now()));
               }));
}

}  // namespace switchboard::api
