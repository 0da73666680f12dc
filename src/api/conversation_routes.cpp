// /conversations…, /queue: what agents read and the commands they give.
#include "audit.hpp"
#include "attribute_catalog.hpp"
#include "command_fields.hpp"
#include "list_params.hpp"
#include "request_helpers.hpp"
#include "view_book.hpp"

#include "switchboard/chat/json.hpp"
#include "switchboard/core/ascii_case.hpp"
#include "switchboard/core/whole_number.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <unordered_map>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::size_t default_page = 50, max_page = 200;

std::size_t page_limit(const http::request& req) { return limit_param(req, default_page, max_page); }

json::array messages_json(const std::vector<chat::message>& list) {
    json::array out;
    for (auto& m : list) out.push_back(chat::to_json(m));
    return out;
}

// Each listed conversation that a search found by its messages' text gets
// "match": its newest message that matched, which a console shows and
// opens the chat at. A point read each, for a page of rows at most.
void add_text_matches(api_context& ctx, json::value& page,
                      const std::unordered_map<std::string, std::uint64_t>& seq_by_phone) {
    for (auto& row : page.at("conversations").as_array()) {
        auto& o = row.as_object();
        auto phone = std::string(o.at("phone").as_string());
        auto hit = seq_by_phone.find(phone);
        if (hit == seq_by_phone.end()) continue;
        auto found = ctx.store.load_messages(phone, hit->second + 1, 1);
        if (!found.empty() && found.front().seq == hit->second) o["match"] = chat::to_json(found.front());
    }
}

// "newest activity first": by the last message from either side or change
// of the chat (not by updated_at, which an agent reading it moves too), then
// phone; the cursor is the last row's pair, so pages never overlap or skip:
// "<ms>_<phone>". By priority the row's priority leads it: "p<0-4>_<ms>_<phone>".
// By the wait, when the row's wait began: "w<ms>_<phone>".
std::optional<chat::list_position> parse_cursor(std::string_view s, chat::list_query::order by) {
    chat::list_position at;
    if (by == chat::list_query::order::priority) {
        if (s.size() < 3 || s[0] != 'p' || s[2] != '_' || s[1] < '0' || s[1] > '4') return std::nullopt;
        at.priority = static_cast<chat::conv_priority>(s[1] - '0');
        s.remove_prefix(3);
    } else if (by == chat::list_query::order::waiting) {
        if (!s.starts_with('w')) return std::nullopt;
        s.remove_prefix(1);
    }
    auto sep = s.find('_');
    if (sep == std::string_view::npos) return std::nullopt;
    auto ms = parse_whole_number(s.substr(0, sep));
    if (!ms) return std::nullopt;
    at.activity_ms = static_cast<std::int64_t>(*ms);
    at.phone = std::string(s.substr(sep + 1));
    return at;
}

std::string cursor_after(const chat::conversation& last, chat::list_query::order by) {
    if (by == chat::list_query::order::waiting)  // every row of that order waits
        return "w" + std::to_string(to_unix_ms(chat::waiting_since(last).value_or(timestamp{}))) + "_" + last.phone;
    std::string out;
    if (by == chat::list_query::order::priority)
        out = "p" + std::to_string(static_cast<int>(last.priority)) + "_";
    return out + std::to_string(to_unix_ms(last.last_activity)) + "_" + last.phone;
}

// ?order=queue: the queue from its head. The cursor is the last entry's
// place, which it keeps while others leave: "queue_<place>".
constexpr std::string_view queue_cursor_prefix = "queue_";

std::optional<std::int64_t> parse_queue_cursor(std::string_view s) {
    if (!s.starts_with(queue_cursor_prefix)) return std::nullopt;
    s.remove_prefix(queue_cursor_prefix.size());
    std::int64_t place = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), place);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return place;
}

json::object counts_json(const chat::list_counts& n) {
    return {{"all", n.all},         {"active", n.active},   {"queued", n.queued},  {"mine", n.mine},
            {"waiting", n.waiting}, {"blocked", n.blocked}, {"snoozed", n.snoozed}, {"following", n.following}};
}

json::value page_json(const std::vector<chat::conversation_view>& rows, json::value next, json::object counts) {
    json::array list;
    for (auto& v : rows) list.push_back(chat::to_json(*v.record, v.queue_position));
    json::object out;
    out["conversations"] = std::move(list);
    out["next_cursor"] = std::move(next);
    out["counts"] = std::move(counts);
    return out;
}

awaitable<http::response> list_queue_order(api_context& ctx, http::request& req, const auth::agent& who,
                                           std::size_t limit) {
    std::optional<std::int64_t> after;
    if (auto c = req.query_param("cursor"); c && !c->empty()) {
        after = parse_queue_cursor(*c);
        if (!after) throw field_error{"cursor", "cursor is not one this server gave out for order=queue"};
    }
    auto page = co_await ctx.engine.queue_front(after, limit);
    json::value next = nullptr;
    if (page.more) next = std::string(queue_cursor_prefix) + std::to_string(*page.last_place);
    co_return json_response(200, page_json(page.rows, std::move(next), counts_json(ctx.engine.counts(who.username))));
}

// ?view=: a saved view's query (GET /views) stands for the list's own
// parameters, which may then not be given beside it; a page's cursor and
// limit may.
param_lookup list_lookup(view_book& views, const http::request& req, const auth::agent& who) {
    auto id = req.query_param("view");
    if (!id) return [&req](std::string_view name) { return req.query_param(name); };
    for (auto name : list_param_names)
        if (req.query_param(name))
            throw field_error{std::string(name), "view=" + *id + " lists by its own query: give only cursor and limit beside it"};
    return params_in(views.get(who.username, *id).query);
}

awaitable<http::response> list_conversations(api_context& ctx, view_book& views, http::request& req,
                                             const auth::agent& who) {
    auto params = read_list_params(ctx, list_lookup(views, req, who));
    if (params.queue_order) co_return co_await list_queue_order(ctx, req, who, page_limit(req));
    chat::list_query query;
    query.by = params.by;
    query.filter = params.filter;
    query.assignee = who.username;
    query.limit = page_limit(req);
    if (auto c = req.query_param("cursor"); c && !c->empty()) {
        query.after = parse_cursor(*c, query.by);
        if (!query.after) throw field_error{"cursor", "cursor is not one this server gave out for order=" + params.order_name};
    }
    const auto& q = params.q;
    if (params.narrows()) query.matches = [&params](const chat::conversation& c) { return params.passes(c); };
    chat::list_page page;
    std::unordered_map<std::string, std::uint64_t> text_hits;  // phone → the seq of its newest match
    if (q.empty()) {
        page = ctx.engine.listed(query);
    } else {
        // Reads every message and every conversation's name: on the scan
        // thread, the search and the walk in one turn.
        auto search = [&] {
            std::function<bool()> gone = [&] { return req.client_gone(); };
            auto matches = ctx.store.text_matches(q, 1000, gone);
            if (gone()) throw client_gone{};  // the scan may have stopped short: answer nobody
            for (auto& m : matches) text_hits.emplace(std::move(m.phone), m.seq);
            auto searched = query;
            searched.matches = [&](const chat::conversation& c) {
                return (!query.matches || query.matches(c)) && (person_matches(c, q) || text_hits.count(c.phone));
            };
            return ctx.engine.listed(searched);
        };
        page = co_await scan(ctx, req, search);
    }
    co_await ctx.engine.fill_queue_positions(page.rows);

    json::value next = nullptr;
    if (page.more) next = cursor_after(*page.rows.back().record, query.by);
    auto answer = page_json(page.rows, std::move(next), counts_json(ctx.engine.counts(who.username)));
    if (!text_hits.empty()) add_text_matches(ctx, answer, text_hits);
    co_return json_response(200, std::move(answer));
}

awaitable<http::response> get_conversation(api_context& ctx, http::request& req, const auth::agent&) {
    auto phone = require_phone(req);
    auto v = co_await ctx.engine.view(phone);
    if (!v) throw chat::command_error(chat::command_error::kind::not_found, "no conversation with " + phone);
    auto o = chat::to_json(*v->record, v->queue_position);
    auto page = ctx.store.load_messages(phone, UINT64_MAX, default_page);
    // However far back: a console holds a WhatsApp reply past the 24-hour
    // window by it. Mostly on the page; else the store looks before it.
    std::optional<timestamp> user_wrote;
    auto on_page = std::find_if(page.rbegin(), page.rend(), [](auto& m) { return m.from == chat::sender::user; });
    if (on_page != page.rend()) {
        user_wrote = on_page->at;
    } else if (auto older = ctx.store.find_latest_user_message(phone, page.empty() ? v->record->last_seq + 1 : page.front().seq)) {
        user_wrote = older->at;
    }
    o["messages"] = messages_json(page);
    o["last_user_message_at"] = chat::optional_time(user_wrote);
    co_return json_response(200, o);
}

awaitable<http::response> get_messages(api_context& ctx, http::request& req, const auth::agent&) {
    auto phone = require_phone(req);
    std::uint64_t before = UINT64_MAX;
    if (auto b = req.query_param("before")) {
        auto v = parse_whole_number(*b);
        if (!v) throw field_error{"before", "before must be a message seq"};
        before = *v;
    }
    auto limit = page_limit(req);
    if (!co_await ctx.engine.view(phone))
        throw chat::command_error(chat::command_error::kind::not_found, "no conversation with " + phone);
    co_return json_response(200, {{"messages", messages_json(ctx.store.load_messages(phone, before, limit))}});
}

awaitable<http::response> conversation_answer(api_context& ctx, const chat::conversation& c) {
    auto answer = co_await conversation_after(ctx, c);
    co_return json_response(200, answer);
}

awaitable<http::response> start_chat(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto c = co_await ctx.engine.start_chat(phone, as_ref(who));
    co_return co_await conversation_answer(ctx, c);
}

// What an agent writes into a conversation: {"text","client_id"?}. A reply's
// text goes as typed; a note's is trimmed, and may not be blank.
struct written {
    std::string text, client_id;
};
written written_fields(const boost::json::object& o, bool trim) {
    auto text = trim ? trimmed_field(o, "text", true, max_text_chars) : string_field(o, "text", true, max_text_chars);
    return {std::move(text), string_field(o, "client_id", false, 128)};
}

awaitable<http::response> send_message(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto o = object_body(req);
    auto w = written_fields(o, false);
    chat::quoted_message quote;
    if (auto seq = reply_to_seq(o.if_contains("reply_to"))) quote = co_await quoted_message_for(ctx, phone, seq, "reply_to");
    auto m = co_await ctx.engine.send(phone, as_ref(who), std::move(w.text), std::move(w.client_id), std::move(quote));
    co_return json_response(201, chat::to_json(m));
}

awaitable<http::response> add_note(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto w = written_fields(object_body(req), true);
    auto m = co_await ctx.engine.add_note(phone, as_ref(who), std::move(w.text), std::move(w.client_id));
    co_return json_response(201, chat::to_json(m));
}

// The {seq} of …/notes/{seq}: a path that names no note is one not there.
std::uint64_t note_seq(const http::request& req, const std::string& phone) {
    auto seq = parse_whole_number(req.param("seq"));
    if (!seq || *seq == 0)
        throw chat::command_error(chat::command_error::kind::not_found,
                                  "no note " + std::string(req.param("seq")) + " in " + phone);
    return *seq;
}

// DELETE …/notes/{seq}: its writer or an admin; audited, without its text.
awaitable<http::response> delete_note(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto deleting = ctx.engine.delete_note(phone, as_ref(who), note_seq(req, phone));
    auto m = co_await std::move(deleting);
    auto audited = audit(ctx, who.username, "note.deleted", phone, {{"seq", m.seq}, {"writer", m.agent}});
    co_await std::move(audited);
    co_return json_response(200, chat::to_json(m));
}

// PATCH …/notes/{seq} {"text"}: its writer alone, read as a new note's
// text is; audited, without its words, when they changed.
awaitable<http::response> edit_note(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto o = object_body(req);
    for (auto& field : o)
        if (field.key() != "text")
            throw field_error{std::string(field.key()),
                              "unknown field " + std::string(field.key()) + ": a note's edit has its text alone"};
    auto text = trimmed_field(o, "text", true, max_text_chars);
    auto seq = note_seq(req, phone);
    auto editing = ctx.engine.edit_note(phone, as_ref(who), seq, std::move(text));
    auto m = co_await std::move(editing);
    if (chat::was_edited(m)) {
        auto audited = audit(ctx, who.username, "note.edited", phone, {{"seq", m.seq}});
        co_await std::move(audited);
    }
    co_return json_response(200, chat::to_json(m));
}

awaitable<http::response> end_chat(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto o = object_body(req);
    auto closing = closing_message_field(o);
    auto c = co_await ctx.engine.end_chat(phone, as_ref(who), std::move(closing));
    co_return co_await conversation_answer(ctx, c);
}

awaitable<http::response> transfer_chat(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto o = object_body(req);
    auto target = transfer_target_field(ctx, o);
    auto c = co_await ctx.engine.transfer(phone, as_ref(who), as_ref(target));
    co_return co_await conversation_answer(ctx, c);
}

awaitable<http::response> return_to_queue(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto c = co_await ctx.engine.return_to_queue(phone, as_ref(who));
    co_return co_await conversation_answer(ctx, c);
}

awaitable<http::response> mark_read(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto o = object_body(req);
    auto* up_to = o.if_contains("up_to");
    if (!up_to || !(up_to->is_uint64() || up_to->is_int64()) || (up_to->is_int64() && up_to->as_int64() < 0))
        throw field_error{"up_to", "up_to must be a message seq (a whole number)"};
    auto seq = up_to->is_uint64() ? up_to->as_uint64() : static_cast<std::uint64_t>(up_to->as_int64());
    auto c = co_await ctx.engine.mark_read(phone, as_ref(who), seq);
    co_return co_await conversation_answer(ctx, c);
}

awaitable<http::response> mark_unread(api_context& ctx, http::request& req, const auth::agent&) {
    auto phone = require_phone(req);
    auto c = co_await ctx.engine.mark_unread(phone);
    co_return co_await conversation_answer(ctx, c);
}

// {"priority":"none"|"low"|"medium"|"high"|"urgent"}
awaitable<http::response> set_priority(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto priority = priority_field(object_body(req));
    auto c = co_await ctx.engine.set_priority(phone, as_ref(who), priority);
    co_return co_await conversation_answer(ctx, c);
}

// {"team":"billing"|null}: a team there is, or none.
awaitable<http::response> set_team(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto team = team_field(ctx, object_body(req));
    auto c = co_await ctx.engine.set_team(phone, as_ref(who), std::move(team));
    co_return co_await conversation_answer(ctx, c);
}

// {"labels":[…]}: each as label_from keeps it, at most max_labels.
awaitable<http::response> set_labels(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto labels = labels_field(object_body(req));  // named: no temporaries inside co_await (GCC 12)
    auto c = co_await ctx.engine.set_labels(phone, as_ref(who), std::move(labels));
    co_return co_await conversation_answer(ctx, c);
}

// {"attributes":{"email":"ana@example.com",…}}, a custom attribute's as its type reads it.
awaitable<http::response> set_attributes(api_context& ctx, const attribute_catalog& types, http::request& req) {
    auto phone = require_phone(req);
    auto attributes = typed_attributes_field(types, object_body(req));  // named, as above
    auto c = co_await ctx.engine.set_attributes(phone, std::move(attributes));
    co_return co_await conversation_answer(ctx, c);
}

// The body of a switch's route: {"<name>":true|false}.
bool switch_body(http::request& req, const std::string& name) {
    auto o = object_body(req);
    auto* v = o.if_contains(name);
    if (!v || !v->is_bool()) throw field_error{name, name + " must be true or false"};
    return v->as_bool();
}

// {"blocked":true|false}
awaitable<http::response> set_blocked(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto c = co_await ctx.engine.set_blocked(phone, as_ref(who), switch_body(req, "blocked"));
    co_return co_await conversation_answer(ctx, c);
}

// {"muted":true|false}
awaitable<http::response> set_muted(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto c = co_await ctx.engine.set_muted(phone, as_ref(who), switch_body(req, "muted"));
    co_return co_await conversation_answer(ctx, c);
}

// {"until":"<ISO-8601>"}: snoozed until then (in the future, within
// max_snooze); {"until":null}: awake now.
awaitable<http::response> snooze(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto until = snooze_until_field(object_body(req));
    auto c = co_await ctx.engine.snooze(phone, as_ref(who), until);
    co_return co_await conversation_answer(ctx, c);
}

// {"name":"…"}: 1 to 64 characters once trimmed, as a user registers one.
awaitable<http::response> set_name(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto o = object_body(req);
    auto name = trimmed_field(o, "name", true, 64);
    auto c = co_await ctx.engine.set_name(phone, as_ref(who), std::move(name));
    co_return co_await conversation_answer(ctx, c);
}

// The whole queue unless `limit` (1–1000) asks for its head: 20,000 waiting
// chats are 2 MB of answer and 30 ms of an io thread.
awaitable<http::response> get_queue(api_context& ctx, http::request& req, const auth::agent&) {
    constexpr std::size_t max_queue_page = 1000;
    auto limit = limit_param(req, SIZE_MAX, max_queue_page);
    auto now = std::chrono::system_clock::now();
    auto [waiting, total] = co_await ctx.engine.queue_head(limit);
    json::array list;
    for (auto& e : waiting) {
        // find, not view: the position is known here, and view would ask the queue again per entry.
        auto c = co_await ctx.engine.find(e.phone);
        list.push_back({{"phone", e.phone},
                        {"name", c ? c->name : std::string{}},
                        {"team", e.team.empty() ? json::value(nullptr) : json::value(e.team)},
                        {"position", e.position},
                        {"queued_at", to_iso8601(e.queued_at)},
                        {"waiting_seconds", std::chrono::duration_cast<std::chrono::seconds>(now - e.queued_at).count()}});
    }
    co_return json_response(200, {{"queue", std::move(list)}, {"total", total}});
}

using route_fn = awaitable<http::response> (*)(api_context&, http::request&, const auth::agent&);

void add(http::router& routes, api_context& ctx, http::verb v, std::string_view pattern, route_fn fn) {
    routes.add(v, pattern, authed(ctx, [&ctx, fn](http::request& req, const auth::agent& who) {
                   return fn(ctx, req, who);
               }));
}

}  // namespace

void add_conversation_routes(http::router& routes, api_context& ctx, std::shared_ptr<view_book> views,
                             std::shared_ptr<const attribute_catalog> attributes) {
    using http::verb;
    routes.add(verb::get, "/conversations", authed(ctx, [&ctx, views](http::request& req, const auth::agent& who) {
                   return list_conversations(ctx, *views, req, who);
               }));
    add(routes, ctx, verb::get, "/conversations/{phone}", get_conversation);
    add(routes, ctx, verb::get, "/conversations/{phone}/messages", get_messages);
    add(routes, ctx, verb::post, "/conversations/{phone}/chat-support/start", start_chat);
    add(routes, ctx, verb::post, "/conversations/{phone}/chat-support/send", send_message);
    add(routes, ctx, verb::post, "/conversations/{phone}/chat-support/end", end_chat);
    add(routes, ctx, verb::post, "/conversations/{phone}/notes", add_note);
    add(routes, ctx, verb::delete_, "/conversations/{phone}/notes/{seq}", delete_note);
    add(routes, ctx, verb::patch, "/conversations/{phone}/notes/{seq}", edit_note);
    add(routes, ctx, verb::post, "/conversations/{phone}/chat-support/transfer", transfer_chat);
    add(routes, ctx, verb::post, "/conversations/{phone}/chat-support/return", return_to_queue);
    add(routes, ctx, verb::post, "/conversations/{phone}/read", mark_read);
    add(routes, ctx, verb::post, "/conversations/{phone}/unread", mark_unread);
    add(routes, ctx, verb::put, "/conversations/{phone}/labels", set_labels);
    add(routes, ctx, verb::put, "/conversations/{phone}/priority", set_priority);
    add(routes, ctx, verb::put, "/conversations/{phone}/team", set_team);
    routes.add(verb::put, "/conversations/{phone}/attributes",
               authed(ctx, [&ctx, attributes](http::request& req, const auth::agent&) {
                   return set_attributes(ctx, *attributes, req);
               }));
    add(routes, ctx, verb::put, "/conversations/{phone}/blocked", set_blocked);
    add(routes, ctx, verb::put, "/conversations/{phone}/muted", set_muted);
    add(routes, ctx, verb::put, "/conversations/{phone}/name", set_name);
    add(routes, ctx, verb::put, "/conversations/{phone}/snooze", snooze);
    add(routes, ctx, verb::get, "/queue", get_queue);
}

}  // namespace switchboard::api
