// /macros, and running one on a conversation: see macro_book.hpp.
#include "command_fields.hpp"
#include "macro_book.hpp"
#include "request_helpers.hpp"

#include <memory>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

awaitable<http::response> list_macros(api_context&, macro_book& book, http::request&, const auth::agent&) {
    co_return json_response(200, {{"macros", book.list()}});
}

awaitable<http::response> create_macro(api_context& ctx, macro_book& book, http::request& req, const auth::agent& who) {
    auto o = object_body(req);
    auto name = macro_name_field(o);
    auto steps = macro_steps_field(ctx, o);
    auto m = co_await book.create(std::move(name), std::move(steps), who.username);
    co_return json_response(201, macro_json(m));
}

awaitable<http::response> update_macro(api_context& ctx, macro_book& book, http::request& req, const auth::agent& who) {
    auto o = object_body(req);
    std::optional<std::string> name;
    std::optional<std::vector<conversation_command>> steps;
    if (o.contains("name")) name = macro_name_field(o);
    if (o.contains("actions")) steps = macro_steps_field(ctx, o);
    auto id = std::string(req.param("id"));  // named: no temporaries inside co_await (GCC 12)
    auto m = co_await book.update(std::move(id), std::move(name), std::move(steps), who.username);
    co_return json_response(200, macro_json(m));
}

awaitable<http::response> run_macro_route(api_context& ctx, macro_book& book, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto m = book.get(req.param("id"));
    auto running = run_macro(ctx, std::move(phone), m, who);
    auto c = co_await std::move(running);
    auto answer = conversation_after(ctx, c);
    co_return json_response(200, co_await std::move(answer));
}

}  // namespace

std::shared_ptr<macro_book> add_macro_routes(http::router& routes, api_context& ctx) {
    // Lives as long as the routes that hold it.
    auto book = std::make_shared<macro_book>(ctx);
    add_book_route(routes, ctx, book, http::verb::get, "/macros", list_macros, false);
    add_book_route(routes, ctx, book, http::verb::post, "/macros", create_macro, true);
    add_book_route(routes, ctx, book, http::verb::patch, "/macros/{id}", update_macro, true);
    add_book_route(routes, ctx, book, http::verb::delete_, "/macros/{id}", delete_from_book, true);
    add_book_route(routes, ctx, book, http::verb::post, "/conversations/{phone}/macros/{id}", run_macro_route, false);
    return book;
}

}  // namespace switchboard::api
