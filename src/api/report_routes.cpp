// GET /reports/summary: chats opened and closed, CSAT, first response,
// queue wait and resolution, overall, per agent, team and label, and when asked the
// chats of each day, computed from the stored chats and ratings (so they
// are right after a restart).
#include "request_helpers.hpp"
#include "sla.hpp"

#include "switchboard/chat/business_hours.hpp"
#include "switchboard/chat/zone_calendar.hpp"
#include "switchboard/store/store.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <unordered_map>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// Nearest-rank percentile: the smallest value with at least p of the sample
// at or below it. Reorders `v` (a selection, not a sort of a year's chats).
json::value percentile(std::vector<double>& v, double p) {
    if (v.empty()) return nullptr;
    auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
    auto nth = v.begin() + static_cast<std::ptrdiff_t>(std::max<std::size_t>(rank, 1) - 1);
    std::nth_element(v.begin(), nth, v.end());
    return *nth;
}

// Seconds from a to b on the team's clock (`hours`, when given) or the wall's.
double seconds_on(const chat::business_hours* hours, timestamp a, timestamp b) {
    return hours ? hours->open_seconds(a, b) : std::chrono::duration<double>(b - a).count();
}

// One chat's part of the figures, worked out once and added to the team's
// tally and to its agent's.
struct chat_figures {
    bool opened = false, closed = false;
    bool asked = false;  // closed, and its user asked to rate it (ended by them or an agent)
    std::optional<double> first_response, queue_wait, resolution;
    std::uint64_t first_reply_met = 0, first_reply_missed = 0;
    std::uint64_t next_reply_met = 0, next_reply_missed = 0;
    std::uint64_t resolution_met = 0, resolution_missed = 0;
};

struct tally {
    std::uint64_t opened = 0, closed = 0;
    std::vector<double> first_response, queue_wait, resolution;
    double rating_sum = 0;
    std::uint64_t ratings = 0;
    std::array<std::uint64_t, 5> scores{};  // how many of each, 1 to 5
    std::uint64_t surveys = 0;              // chats whose users were asked to rate them
    // Against the team's reply-time targets (GET /sla), when set.
    std::uint64_t first_reply_met = 0, first_reply_missed = 0;
    std::uint64_t next_reply_met = 0, next_reply_missed = 0;
    std::uint64_t resolution_met = 0, resolution_missed = 0;

    // `shown`: the targets the row names (a team's row its own); a kind no
    // conversation is held to is null.
    json::object to_json(const reply_targets& shown, const reply_policy& policy) {
        json::object o;
        o["chats_opened"] = opened;
        o["chats_closed"] = closed;
        // To two decimals, as a dashboard shows it: 4.33, not 4.333333333333333.
        json::value average = nullptr;
        if (ratings) average = std::round(rating_sum / static_cast<double>(ratings) * 100) / 100;
        json::object distribution;
        for (std::size_t i = 0; i < scores.size(); ++i) distribution[std::to_string(i + 1)] = scores[i];
        // Ratings given in the period for those asked in it: one given just
        // after the period for a chat of its end is the next period's.
        json::value response_rate = nullptr;
        if (surveys)
            response_rate =
                std::min(1.0, std::round(static_cast<double>(ratings) / static_cast<double>(surveys) * 100) / 100);
        o["csat"] = {{"average", average},
                     {"count", ratings},
                     {"distribution", std::move(distribution)},
                     {"surveys", surveys},
                     {"response_rate", std::move(response_rate)}};
        o["first_response_seconds"] = {{"p50", percentile(first_response, 0.5)},
                                       {"p90", percentile(first_response, 0.9)},
                                       {"count", first_response.size()}};
        o["queue_wait_seconds"] = {{"p50", percentile(queue_wait, 0.5)},
                                   {"p90", percentile(queue_wait, 0.9)},
                                   {"count", queue_wait.size()}};
        o["resolution_seconds"] = {{"p50", percentile(resolution, 0.5)},
                                   {"p90", percentile(resolution, 0.9)},
                                   {"count", resolution.size()}};
        o["first_reply_sla"] = against(policy.holds(&reply_targets::first_reply_minutes), shown.first_reply_minutes,
                                       first_reply_met, first_reply_missed);
        o["next_reply_sla"] = against(policy.holds(&reply_targets::next_reply_minutes), shown.next_reply_minutes,
                                      next_reply_met, next_reply_missed);
        o["resolution_sla"] = against(policy.holds(&reply_targets::resolution_minutes), shown.resolution_minutes,
                                      resolution_met, resolution_missed);
        return o;
    }

    // `target_minutes` null where the row's chats were held to their
    // teams' targets and it names none of its own.
    static json::value against(bool held, const std::optional<std::int64_t>& target_minutes, std::uint64_t met,
                               std::uint64_t missed) {
        if (!held) return nullptr;
        json::value minutes = target_minutes ? json::value(*target_minutes) : json::value(nullptr);
        return json::object{{"target_minutes", std::move(minutes)}, {"met", met}, {"missed", missed}};
    }

    void add(const chat_figures& f) {
        opened += f.opened;
        closed += f.closed;
        surveys += f.asked;
        if (f.first_response) first_response.push_back(*f.first_response);
        if (f.queue_wait) queue_wait.push_back(*f.queue_wait);
        if (f.resolution) resolution.push_back(*f.resolution);
        first_reply_met += f.first_reply_met;
        first_reply_missed += f.first_reply_missed;
        next_reply_met += f.next_reply_met;
        next_reply_missed += f.next_reply_missed;
        resolution_met += f.resolution_met;
        resolution_missed += f.resolution_missed;
    }

    void add_rating(int score) {
        rating_sum += score;
        ++ratings;
        if (score >= 1 && score <= 5) ++scores[static_cast<std::size_t>(score - 1)];
    }
};

// `business_hours=true`: waits counted on the team's clock (Chatwoot's
// report option); only where --business-hours are set.
const chat::business_hours* business_clock(api_context& ctx, const http::request& req) {
    auto v = req.query_param("business_hours");
    if (!v || v->empty() || *v == "false") return nullptr;
    if (*v != "true") throw field_error{"business_hours", "business_hours must be true or false"};
    if (!ctx.hours)
        throw field_error{"business_hours", "no business hours are set (--business-hours): every second counts"};
    return ctx.hours;
}

// group_by=day: the chats opened and closed on each day of the period,
// counted in `timezone` (an IANA name; by default the team's --timezone,
// else UTC), every day listed, those with none too. group_by=hour: each
// day's chats opened by the hour too, for a heatmap of the team's traffic
// (Chatwoot's conversation traffic).
struct by_day {
    chat::zone_calendar calendar;
    bool hourly = false;
    long first = 0;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> opened_closed;
    std::vector<std::array<std::uint64_t, 24>> opened_by_hour;  // hourly only

    void count(timestamp t, bool closed) {
        auto i = static_cast<std::size_t>(calendar.day_of(t) - first);
        auto& day = opened_closed.at(i);
        ++(closed ? day.second : day.first);
        if (hourly && !closed) ++opened_by_hour.at(i).at(static_cast<std::size_t>(calendar.hour_of(t)));
    }
    json::array to_json() const {
        json::array out;
        for (std::size_t i = 0; i < opened_closed.size(); ++i) {
            json::object day{{"date", chat::zone_calendar::date_text(first + static_cast<long>(i))},
                             {"chats_opened", opened_closed[i].first},
                             {"chats_closed", opened_closed[i].second}};
            if (hourly) day["opened_by_hour"] = json::array(opened_by_hour[i].begin(), opened_by_hour[i].end());
            out.push_back(std::move(day));
        }
        return out;
    }
};

constexpr long most_days = 366;

std::optional<by_day> day_grouping(api_context& ctx, const http::request& req, timestamp from, timestamp to) {
    auto group = req.query_param("group_by");
    if (!group || group->empty()) {
        if (req.query_param("timezone")) throw field_error{"timezone", "timezone is for group_by=day or hour"};
        return std::nullopt;
    }
    if (*group != "day" && *group != "hour") throw field_error{"group_by", "group_by must be day or hour"};
    auto name = req.query_param("timezone").value_or(ctx.hours ? ctx.hours->zone_name() : "UTC");
    auto calendar = chat::zone_calendar::named(name);
    if (!calendar)
        throw field_error{"timezone", "timezone must be a time zone this server knows, e.g. Europe/Berlin or UTC"};
    by_day days{*calendar, *group == "hour"};
    days.first = calendar->day_of(from);
    auto count = calendar->day_of(to - std::chrono::milliseconds(1)) - days.first + 1;
    if (count > most_days)
        throw field_error{"from", "group_by=" + std::string(*group) + " covers at most " + std::to_string(most_days) +
                                      " days"};
    days.opened_closed.resize(static_cast<std::size_t>(count));
    if (days.hourly) days.opened_by_hour.resize(static_cast<std::size_t>(count));
    return days;
}

// format=csv: the report as a spreadsheet opens it, one row for the whole
// team ("(all)", which no username can be), one an agent, and one a team
// ("team:billing": no username has a colon), and one a label
// ("label:vip"); with group_by=day, one row a day instead.
std::string csv_value(const json::value& v) {
    if (v.is_null()) return "";
    if (v.is_int64()) return std::to_string(v.as_int64());
    if (v.is_uint64()) return std::to_string(v.as_uint64());
    char buf[32];
    auto end = std::to_chars(buf, buf + sizeof buf, v.as_double()).ptr;  // shortest: 4.5, 400
    return std::string(buf, end);
}

std::string tally_csv_row(std::string_view who, const json::object& t) {
    std::string row = csv_field(who);
    auto add = [&](const json::value& v) { row += "," + csv_value(v); };
    add(t.at("chats_opened"));
    add(t.at("chats_closed"));
    add(t.at("csat").at("average"));
    add(t.at("csat").at("count"));
    for (auto figure : {"first_response_seconds", "queue_wait_seconds", "resolution_seconds"}) {
        add(t.at(figure).at("p50"));
        add(t.at(figure).at("p90"));
    }
    for (auto target : {"first_reply_sla", "next_reply_sla", "resolution_sla"}) {
        auto& sla = t.at(target);
        add(sla.is_null() ? sla : sla.at("met"));
        add(sla.is_null() ? sla : sla.at("missed"));
    }
    auto& csat = t.at("csat");
    add(csat.at("surveys"));
    add(csat.at("response_rate"));
    for (auto& [_, n] : csat.at("distribution").as_object()) add(n);
    return row + "\r\n";
}

std::string report_csv(const json::object& report) {
    std::string out;
    if (auto* days = report.if_contains("days")) {
        bool hourly = report.at("group_by") == "hour";
        out = "date,chats_opened,chats_closed";
        for (int h = 0; hourly && h < 24; ++h) out += (h < 10 ? ",opened_0" : ",opened_") + std::to_string(h);
        out += "\r\n";
        for (auto& d : days->as_array()) {
            out += std::string(d.at("date").as_string()) + "," + csv_value(d.at("chats_opened")) + "," +
                   csv_value(d.at("chats_closed"));
            if (hourly)
                for (auto& n : d.at("opened_by_hour").as_array()) out += "," + csv_value(n);
            out += "\r\n";
        }
        return out;
    }
    out = "agent,chats_opened,chats_closed,csat_average,csat_count,first_response_p50_seconds,"
          "first_response_p90_seconds,queue_wait_p50_seconds,queue_wait_p90_seconds,resolution_p50_seconds,"
          "resolution_p90_seconds,first_reply_sla_met,first_reply_sla_missed,next_reply_sla_met,next_reply_sla_missed,"
          "resolution_sla_met,resolution_sla_missed,csat_surveys,csat_response_rate,csat_1,csat_2,csat_3,csat_4,"
          "csat_5\r\n";
    out += tally_csv_row("(all)", report.at("overall").as_object());
    for (auto& a : report.at("agents").as_array()) out += tally_csv_row(a.at("agent").as_string(), a.as_object());
    for (auto& t : report.at("teams").as_array())
        out += tally_csv_row("team:" + std::string(t.at("team").as_string()), t.as_object());
    for (auto& l : report.at("labels").as_array())
        out += tally_csv_row("label:" + std::string(l.at("label").as_string()), l.as_object());
    for (auto& c : report.at("channels").as_array())
        out += tally_csv_row("channel:" + std::string(c.at("channel").as_string()), c.as_object());
    return out;
}

awaitable<http::response> summary(api_context& ctx, http::request& req, const auth::agent&) {
    auto now = std::chrono::system_clock::now();
    auto [from, to] = report_period_params(req);
    auto hours = business_clock(ctx, req);
    auto days = day_grouping(ctx, req, from, to);
    auto format = req.query_param("format").value_or("json");
    if (format != "json" && format != "csv") throw field_error{"format", "format must be json or csv"};
    auto waited = [hours](timestamp a, timestamp b) { return seconds_on(hours, a, b); };
    // Each chat is held to its team's targets, where its team has its own.
    auto policy = reply_policy_now(ctx);
    // A target only during business hours judges every wait on the team's
    // clock, whatever the report's own clock.
    const chat::business_hours* target_hours =
        policy.standard.only_during_business_hours && ctx.hours ? ctx.hours : hours;
    auto waited_for_target = [target_hours](timestamp a, timestamp b) { return seconds_on(target_hours, a, b); };
    // A wait met its target when an agent answered within it; missed it
    // when one answered later, or none had when the chat ended or by now. A
    // wait the user left sooner, unanswered, asked nothing of it. A chat's
    // first wait is held to the first-reply target, each after its first
    // reply to the next-reply one.
    auto judge = [&](const std::optional<std::int64_t>& target, timestamp began, std::optional<timestamp> answered,
                     timestamp until, std::uint64_t& met, std::uint64_t& missed) {
        if (!target) return;
        auto limit = static_cast<double>(*target) * 60;
        if (answered)
            ++(waited_for_target(began, *answered) <= limit ? met : missed);
        else if (waited_for_target(began, until) > limit)
            ++missed;
    };
    auto in = [&](const std::optional<timestamp>& t) { return t && *t >= from && *t < to; };
    auto figures_of = [&](const chat::chat_record& c) {
        chat_figures f;
        if (in(c.opened_at)) {
            f.opened = true;
            if (c.first_response_at) f.first_response = waited(c.opened_at, *c.first_response_at);
            if (c.queued_at && c.assigned_at) f.queue_wait = waited(*c.queued_at, *c.assigned_at);
            auto until = c.closed_at.value_or(now);  // where an unanswered wait stopped
            const auto& targets = policy.for_team(c.team);
            judge(targets.first_reply_minutes, c.opened_at, c.first_response_at, until, f.first_reply_met,
                  f.first_reply_missed);
            for (auto& [began, answered] : c.answered_waits)
                judge(targets.next_reply_minutes, began, answered, until, f.next_reply_met, f.next_reply_missed);
            if (c.first_response_at && c.waiting_since)  // waiting again, unanswered
                judge(targets.next_reply_minutes, *c.waiting_since, std::nullopt, until, f.next_reply_met,
                      f.next_reply_missed);
            // Resolved: ended after an agent had it. One the user left
            // unanswered resolved nothing, and misses only by staying open
            // past the target.
            auto resolved = c.assigned_at ? c.closed_at : std::nullopt;
            judge(targets.resolution_minutes, c.opened_at, resolved, until, f.resolution_met, f.resolution_missed);
        }
        if (in(c.closed_at)) {
            f.closed = true;
            // The bot asks for a rating after the user's end keyword or an
            // agent's end; a timed-out or blocked chat is not asked.
            f.asked = c.close_reason == "user" || c.close_reason == "agent";
            // Resolved: an agent had it. One the user left while it waited
            // was never answered, so it resolved nothing.
            if (c.assigned_at) f.resolution = waited(c.opened_at, *c.closed_at);
        }
        return f;
    };

    // Tallied as the rows are read, on the scan thread: a year of a busy
    // team is a million chats, read whole once 670 MB and 10 s.
    tally overall;
    std::map<std::string, tally> by_agent, by_team, by_label, by_channel;
    // A row counts overall, for its agent when it names one, for its
    // channel, and for the team and each label its chat was filed under. A
    // rating counts for its chat's channel, team and labels when that chat
    // is among the period's.
    auto tally_in = [](std::map<std::string, tally>& by, const std::string& name) -> tally* {
        return name.empty() ? nullptr : &by[name];
    };
    struct filing {
        std::string team;
        std::vector<std::string> labels;
        chat::channel via = chat::channel::plain;
    };
    std::unordered_map<std::string, filing> filing_of_ticket;
    auto read = [&] {
        ctx.store.each_chat(from, to, [&](const chat::chat_record& c) {
            auto f = figures_of(c);
            overall.add(f);
            if (auto* t = tally_in(by_agent, c.agent)) t->add(f);
            if (auto* t = tally_in(by_team, c.team)) t->add(f);
            for (auto& label : c.labels) by_label[label].add(f);
            by_channel[std::string(chat::to_string(c.via))].add(f);
            // Kept for the ratings only where it says more than "plain, under nothing".
            if (!c.team.empty() || !c.labels.empty() || c.via != chat::channel::plain)
                filing_of_ticket.emplace(c.ticket_id, filing{c.team, c.labels, c.via});
            if (days && f.opened) days->count(c.opened_at, false);
            if (days && f.closed) days->count(*c.closed_at, true);
        });
        ctx.store.each_rating(from, to, [&](const store::rating& r) {
            overall.add_rating(r.score);
            if (auto* t = tally_in(by_agent, r.agent)) t->add_rating(r.score);
            auto filed = filing_of_ticket.find(r.ticket_id);
            if (filed == filing_of_ticket.end()) {
                // A plain-webhook chat under nothing, as the map keeps no
                // such chat (a year's are a million); or, seldom, one of
                // another period's, rated late. Every rating counts for
                // some channel, as it does overall.
                by_channel["plain"].add_rating(r.score);
                return;
            }
            by_channel[std::string(chat::to_string(filed->second.via))].add_rating(r.score);
            if (auto* t = tally_in(by_team, filed->second.team)) t->add_rating(r.score);
            for (auto& label : filed->second.labels) by_label[label].add_rating(r.score);
        });
        return true;
    };
    co_await scan(ctx, req, read);
    auto named = [&](std::map<std::string, tally>& by, std::string_view key) {
        json::array out;
        for (auto& [name, t] : by) {
            auto o = t.to_json(key == "team" ? policy.for_team(name) : policy.standard, policy);
            o[key] = name;
            out.push_back(std::move(o));
        }
        return out;
    };
    json::object out;
    out["from"] = to_iso8601(from);
    out["to"] = to_iso8601(to);
    out["business_hours"] = hours != nullptr;
    out["overall"] = overall.to_json(policy.standard, policy);
    out["agents"] = named(by_agent, "agent");
    out["teams"] = named(by_team, "team");
    out["labels"] = named(by_label, "label");
    out["channels"] = named(by_channel, "channel");
    if (days) {
        out["group_by"] = days->hourly ? "hour" : "day";
        out["timezone"] = days->calendar.name();
        out["days"] = days->to_json();
    }
    if (format == "csv") {
        http::response res;
        res.content_type = "text/csv; charset=utf-8";
        res.body = report_csv(out);
        auto day = [](timestamp t) { return to_iso8601(t).substr(0, 10); };
        std::string grouped = days ? (days->hourly ? "-by-hour" : "-by-day") : "";
        res.set_header("Content-Disposition",
                       "attachment; filename=\"report-" + day(from) + "-to-" + day(to) + grouped + ".csv\"");
        co_return res;
    }
    co_return json_response(200, out);
}

}  // namespace

void add_report_routes(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/reports/summary", authed(ctx, [&ctx](http::request& r, const auth::agent& w) {
                   return summary(ctx, r, w);
               }));
}

}  // namespace switchboard::api
