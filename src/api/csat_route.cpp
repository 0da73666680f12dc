// GET /reports/csat: a period's ratings one by one, newest first, as
// Chatwoot's CSAT responses: who rated which chat of whose, and how. The
// summary (report_routes.cpp) counts them; this lists them, a page at a
// time, read on the scan thread with memory for one page.
#include "request_helpers.hpp"

#include "switchboard/auth/agents.hpp"
#include "switchboard/chat/engine.hpp"
#include "switchboard/core/whole_number.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json/array.hpp>

#include <deque>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::size_t default_page = 25;
constexpr std::size_t most_a_page = 100;

awaitable<http::response> csat_responses(api_context& ctx, http::request& req, const auth::agent&) {
    auto [from, to] = report_period_params(req);
    // The previous page's next_before: the ratings older than its oldest.
    auto before = time_param(req, "before", to);
    auto limit = limit_param(req, default_page, most_a_page);
    // Chatwoot's filters: one agent's ratings, one score's.
    auto agent = req.query_param("agent");
    if (agent && !ctx.agents.find(*agent))
        throw field_error{"agent", "agent must be an agent's username; there is no " + std::string(*agent)};
    std::optional<int> score;
    if (auto s = req.query_param("score")) {
        auto n = parse_whole_number(*s);
        if (!n || *n < 1 || *n > 5) throw field_error{"score", "score must be a whole number from 1 to 5"};
        score = static_cast<int>(*n);
    }
    // The newest `limit` ratings before `before`, and those of the same
    // millisecond as the oldest of them: a page never splits one, so the
    // next, which starts below it, misses none.
    std::deque<store::rating> page;
    bool older = false;
    auto read = [&] {
        ctx.store.each_rating(from, std::min(to, before), [&](const store::rating& r) {
            if ((agent && r.agent != *agent) || (score && r.score != *score)) return;
            page.push_back(r);
            while (page.size() > limit && page.front().at != page[page.size() - limit].at) {
                page.pop_front();
                older = true;
            }
        });
        return true;
    };
    co_await scan(ctx, req, read);
    json::array responses;
    for (auto r = page.rbegin(); r != page.rend(); ++r) {
        auto c = co_await ctx.engine.find(r->phone);
        responses.push_back({{"phone", r->phone},
                             {"name", c && !c->name.empty() ? json::value(c->name) : json::value(nullptr)},
                             {"ticket", r->ticket_id},
                             {"agent", r->agent.empty() ? json::value(nullptr) : json::value(r->agent)},
                             {"score", r->score},
                             {"at", to_iso8601(r->at)}});
    }
    json::value next_before = nullptr;
    if (older) next_before = to_iso8601(page.front().at);
    co_return json_response(200, {{"responses", std::move(responses)}, {"next_before", std::move(next_before)}});
}

}  // namespace

void add_csat_route(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/reports/csat", authed(ctx, [&ctx](http::request& r, const auth::agent& w) {
                   return csat_responses(ctx, r, w);
               }));
}

}  // namespace switchboard::api
