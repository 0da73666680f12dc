// /canned-responses: saved replies that agents insert in the composer by
// their shortcut. Everyone reads them; admins write them. The list is held
// in memory (it is small and read on every "/" in a composer) and written
// through to the store.
#include "audit.hpp"
#include "request_helpers.hpp"

#include "switchboard/core/time.hpp"
#include "switchboard/store/store.hpp"

#include <map>
#include <memory>
#include <mutex>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;
using store::canned_response;

namespace {

constexpr std::size_t max_responses = 1000;  // a team's list, not a knowledge base

std::string validate_shortcut(std::string_view s) {
    if (s.empty() || s.size() > 32) return "shortcut must be 1 to 32 characters";
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return "shortcut may hold only a-z, 0-9, '_' and '-'";
    return {};
}

json::object response_json(const canned_response& r) {
    return {{"shortcut", r.shortcut},
            {"text", r.text},
            {"updated_by", r.updated_by},
            {"updated_at", to_iso8601(r.updated_at)}};
}

chat::command_error not_found(const std::string& shortcut) {
    return {chat::command_error::kind::not_found, "no saved reply /" + shortcut};
}

// The list, by shortcut. A change is made here under the lock and then
// written; two edits of one reply at the same moment: the later one wins.
class saved_replies {
public:
    explicit saved_replies(store::store& store) : store_(store) { load(); }

    json::array list() const {
        std::lock_guard lock(mutex_);
        json::array out;
        for (auto& [_, r] : by_shortcut_) out.push_back(response_json(r));
        return out;
    }

    awaitable<canned_response> create(canned_response r) {
        {
            std::lock_guard lock(mutex_);
            if (by_shortcut_.count(r.shortcut))
                throw chat::command_error(chat::command_error::kind::conflict,
                                          "a saved reply /" + r.shortcut + " exists already");
            if (by_shortcut_.size() >= max_responses)
                throw chat::command_error(chat::command_error::kind::conflict,
                                          "there are " + std::to_string(max_responses) + " saved replies already");
            by_shortcut_[r.shortcut] = r;
        }
        store::write_batch b;
        b.canned_put.push_back(r);
        co_await write(std::move(b));
        co_return r;
    }

    // `renamed_to` empty: the shortcut stays.
    awaitable<canned_response> update(std::string shortcut, std::optional<std::string> text, std::string renamed_to,
                                      std::string by) {
        canned_response r;
        store::write_batch b;
        {
            std::lock_guard lock(mutex_);
            auto it = by_shortcut_.find(shortcut);
            if (it == by_shortcut_.end()) throw not_found(shortcut);
            r = it->second;
            if (!renamed_to.empty() && renamed_to != shortcut) {
                if (by_shortcut_.count(renamed_to))
                    throw chat::command_error(chat::command_error::kind::conflict,
                                              "a saved reply /" + renamed_to + " exists already");
                by_shortcut_.erase(it);
                b.canned_remove.push_back(shortcut);
                r.shortcut = renamed_to;
            }
            if (text) r.text = *text;
            r.updated_by = std::move(by);
            r.updated_at = std::chrono::system_clock::now();
            by_shortcut_[r.shortcut] = r;
        }
        b.canned_put.push_back(r);
        co_await write(std::move(b));
        co_return r;
    }

    awaitable<void> remove(std::string shortcut) {
        {
            std::lock_guard lock(mutex_);
            if (!by_shortcut_.erase(shortcut)) throw not_found(shortcut);
        }
        store::write_batch b;
        b.canned_remove.push_back(shortcut);
        co_await write(std::move(b));
    }

private:
    void load() {
        auto stored = store_.load_canned_responses();
        std::lock_guard lock(mutex_);
        by_shortcut_.clear();
        for (auto& r : stored) by_shortcut_[r.shortcut] = std::move(r);
    }

    // A change the store refused is no change: the list is read back from
    // it, for a new reply, an edit and a deletion alike.
    awaitable<void> write(store::write_batch b) {
        std::exception_ptr failed;
        try {
            co_await store_.write(std::move(b));
        } catch (...) {
            failed = std::current_exception();
        }
        if (failed) {
            load();
            std::rethrow_exception(failed);
        }
    }

    store::store& store_;
    mutable std::mutex mutex_;  // never held across an await
    std::map<std::string, canned_response> by_shortcut_;
};

std::string shortcut_field(const json::object& o, bool required) {
    auto s = string_field(o, "shortcut", required);
    if (s.starts_with('/')) s.erase(0, 1);  // as typed in the composer
    if (auto why = validate_shortcut(s); !why.empty()) throw field_error{"shortcut", why};
    return s;
}

awaitable<http::response> list_replies(api_context&, saved_replies& replies, http::request&, const auth::agent&) {
    co_return json_response(200, {{"canned_responses", replies.list()}});
}

awaitable<http::response> create_reply(api_context& ctx, saved_replies& replies, http::request& req, const auth::agent& who) {
    auto o = object_body(req);
    canned_response r{shortcut_field(o, true), trimmed_field(o, "text", true, 4096), who.username,
                      std::chrono::system_clock::now()};
    auto made = co_await replies.create(std::move(r));
    auto audited = audit(ctx, who.username, "saved_reply.created", made.shortcut);
    co_await std::move(audited);
    co_return json_response(201, response_json(made));
}

awaitable<http::response> update_reply(api_context& ctx, saved_replies& replies, http::request& req, const auth::agent& who) {
    auto o = object_body(req);
    std::optional<std::string> text;
    if (o.contains("text")) text = trimmed_field(o, "text", true, 4096);
    auto renamed_to = o.contains("shortcut") ? shortcut_field(o, true) : std::string{};
    if (!text && renamed_to.empty()) throw field_error{"body", "nothing to change: give text and/or shortcut"};
    std::string shortcut(req.param("shortcut"));
    auto r = co_await replies.update(shortcut, std::move(text), std::move(renamed_to), who.username);
    boost::json::object details;
    if (r.shortcut != shortcut) details["renamed_from"] = shortcut;
    auto audited = audit(ctx, who.username, "saved_reply.updated", r.shortcut, std::move(details));
    co_await std::move(audited);
    co_return json_response(200, response_json(r));
}

awaitable<http::response> delete_reply(api_context& ctx, saved_replies& replies, http::request& req,
                                         const auth::agent& who) {
    std::string shortcut(req.param("shortcut"));
    co_await replies.remove(shortcut);
    auto answering = audited_delete(ctx, who.username, "saved_reply", shortcut);  // named: GCC 12
    co_return co_await std::move(answering);
}

using reply_route = awaitable<http::response> (*)(api_context&, saved_replies&, http::request&, const auth::agent&);

}  // namespace

void add_canned_response_routes(http::router& routes, api_context& ctx) {
    // Lives as long as the routes that hold it.
    auto replies = std::make_shared<saved_replies>(ctx.store);
    auto add = [&](http::verb v, std::string_view pattern, reply_route fn, bool admin_only) {
        routes.add(v, pattern, authed(ctx, [&ctx, replies, fn](http::request& req, const auth::agent& who) {
                       return fn(ctx, *replies, req, who);
                   }, admin_only));
    };
    add(http::verb::get, "/canned-responses", list_replies, false);
    add(http::verb::post, "/canned-responses", create_reply, true);
    add(http::verb::patch, "/canned-responses/{shortcut}", update_reply, true);
    add(http::verb::delete_, "/canned-responses/{shortcut}", delete_reply, true);
}

}  // namespace switchboard::api
