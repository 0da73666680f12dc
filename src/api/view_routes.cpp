// /views: each agent's saved views of the conversation list (view_book.hpp).
#include "request_helpers.hpp"
#include "view_book.hpp"

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

std::string view_name_field(const json::object& o) { return trimmed_field(o, "name", true, max_view_name_chars); }

// `shared` is said when a view is made: a shared one is the team's, and
// stays so (an admin makes a private copy as a new view).
void refuse_other_fields(const json::object& o, bool creating) {
    for (auto& [key, value] : o) {
        if (key == "name" || key == "query") continue;
        if (key == "shared" && creating) continue;
        throw field_error{std::string(key), key == "shared" ? std::string("a view is shared or not from when it is made")
                                                           : "a view has a name, a query and whether it is shared, and no " +
                                                                 std::string(key)};
    }
}

view_book::caller caller_of(const auth::agent& who) { return {who.username, who.is_admin()}; }

awaitable<http::response> list_views(api_context&, view_book& views, http::request&, const auth::agent& who) {
    co_return json_response(200, {{"views", views.list(who.username)}});
}

awaitable<http::response> create_view(api_context& ctx, view_book& views, http::request& req, const auth::agent& who) {
    auto o = object_body(req);
    refuse_other_fields(o, true);
    auto name = view_name_field(o);
    auto query = view_query_field(ctx, o);
    bool shared = false;
    if (auto* s = o.if_contains("shared")) {
        if (!s->is_bool()) throw field_error{"shared", "shared must be true (the team's) or false (yours alone)"};
        shared = s->as_bool();
    }
    auto v = co_await views.create(caller_of(who), std::move(name), std::move(query), shared);
    co_return json_response(201, view_json(v));
}

awaitable<http::response> update_view(api_context& ctx, view_book& views, http::request& req, const auth::agent& who) {
    auto o = object_body(req);
    refuse_other_fields(o, false);
    std::optional<std::string> name;
    std::optional<json::object> query;
    if (o.contains("name")) name = view_name_field(o);
    if (o.contains("query")) query = view_query_field(ctx, o);
    auto id = std::string(req.param("id"));  // named: no temporaries inside co_await (GCC 12)
    auto v = co_await views.update(caller_of(who), std::move(id), std::move(name), std::move(query));
    co_return json_response(200, view_json(v));
}

awaitable<http::response> delete_view(api_context&, view_book& views, http::request& req, const auth::agent& who) {
    auto id = std::string(req.param("id"));
    co_await views.remove(caller_of(who), id);
    co_return json_response(200, {{"deleted", id}});
}

using view_route = awaitable<http::response> (*)(api_context&, view_book&, http::request&, const auth::agent&);

void add(http::router& routes, api_context& ctx, const std::shared_ptr<view_book>& views, http::verb v,
         std::string_view pattern, view_route fn) {
    routes.add(v, pattern, authed(ctx, [&ctx, views, fn](http::request& req, const auth::agent& who) {
                   return fn(ctx, *views, req, who);
               }));
}

}  // namespace

std::shared_ptr<view_book> add_view_routes(http::router& routes, api_context& ctx) {
    auto views = std::make_shared<view_book>(ctx);  // lives as long as the routes that hold it
    add(routes, ctx, views, http::verb::get, "/views", list_views);
    add(routes, ctx, views, http::verb::post, "/views", create_view);
    add(routes, ctx, views, http::verb::patch, "/views/{id}", update_view);
    add(routes, ctx, views, http::verb::delete_, "/views/{id}", delete_view);
    return views;
}

}  // namespace switchboard::api
