// GET /labels, PUT /labels/{name}, DELETE /labels/{name}: the label catalog
// (label_catalog.hpp). Everyone reads it, admins write it; every console
// hears of a change as `labels.updated`, with the whole catalog. A
// conversation's own labels are set by PUT /conversations/{phone}/labels
// (conversation_routes.cpp), with labels in the catalog or not.
#include "audit.hpp"
#include "label_catalog.hpp"
#include "request_helpers.hpp"

#include "switchboard/chat/conversation.hpp"
#include "switchboard/ws/hub.hpp"

#include <boost/json/array.hpp>

#include <cctype>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

json::array catalog_json(const label_catalog& labels) {
    json::array out;
    for (auto& l : labels.list()) out.push_back(label_json(l));
    return out;
}

// Every console hears of a change with the whole catalog, as of teams.
void announce(api_context& ctx, const label_catalog& labels) {
    ctx.hub.publish({"labels.updated", "", {{"labels", catalog_json(labels)}}, std::chrono::system_clock::now()});
}

// The name in the path, as a conversation's label is kept (`VIP customer` is vip-customer).
std::string path_label(const http::request& req) {
    auto name = chat::label_from(req.param("name"));
    if (!name) throw field_error{"name", "a label is 1 to 32 characters of a-z, 0-9, - and _ (spaces become -)"};
    return std::move(*name);
}

// "#rrggbb" in any case, kept in lower case; absent, the name's own.
std::string color_field(const json::object& o, std::string_view name) {
    auto* v = o.if_contains("color");
    if (!v || v->is_null()) return default_label_color(name);
    auto bad = field_error{"color", "color must be a colour as #rrggbb, as #1f93ff"};
    if (!v->is_string()) throw bad;
    std::string c(v->as_string());
    if (c.size() != 7 || c[0] != '#') throw bad;
    for (std::size_t i = 1; i < c.size(); ++i) {
        if (!std::isxdigit(static_cast<unsigned char>(c[i]))) throw bad;
        c[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(c[i])));
    }
    return c;
}

awaitable<http::response> put_label(api_context& ctx, label_catalog& labels, http::request& req,
                                    const auth::agent& who) {
    label_definition l;
    l.name = path_label(req);
    auto o = object_body(req);
    for (auto& field : o)
        if (field.key() != "description" && field.key() != "color")
            throw field_error{std::string(field.key()),
                              "unknown field " + std::string(field.key()) + ": the fields are description and color"};
    l.description = one_line_field(o, "description", max_label_description_chars);
    l.color = color_field(o, l.name);
    l.updated_by = who.username;
    l.updated_at = std::chrono::system_clock::now();
    auto put = co_await labels.put(std::move(l));
    if (!put)
        throw chat::command_error(chat::command_error::kind::conflict,
                                  "there are " + std::to_string(max_catalog_labels) + " labels already, the most there are");
    announce(ctx, labels);
    auto about = label_json(put->saved);
    json::object details{{"description", about.at("description")}, {"color", about.at("color")}};
    auto answering = audited_save(ctx, who.username, "label", put->created, put->saved.name, std::move(details),
                                  std::move(about));  // named: GCC 12
    co_return co_await std::move(answering);
}

// The catalog forgets it; conversations filed under it keep it, as in Chatwoot.
awaitable<http::response> delete_label(api_context& ctx, label_catalog& labels, http::request& req,
                                       const auth::agent& who) {
    auto name = path_label(req);
    bool removed = co_await labels.remove(name);
    if (!removed) throw chat::command_error(chat::command_error::kind::not_found, "no label named " + name);
    announce(ctx, labels);
    auto answering = audited_delete(ctx, who.username, "label", name);  // named: GCC 12
    co_return co_await std::move(answering);
}

}  // namespace

void add_label_routes(http::router& routes, api_context& ctx) {
    auto labels = std::make_shared<label_catalog>(ctx.store);
    routes.add(http::verb::get, "/labels",
               authed(ctx, [labels](http::request&, const auth::agent&) -> awaitable<http::response> {
                   co_return json_response(200, {{"labels", catalog_json(*labels)}});
               }));
    routes.add(http::verb::put, "/labels/{name}",
               authed(ctx, [&ctx, labels](http::request& r, const auth::agent& w) { return put_label(ctx, *labels, r, w); },
                      true));
    routes.add(http::verb::delete_, "/labels/{name}",
               authed(ctx, [&ctx, labels](http::request& r, const auth::agent& w) {
                   return delete_label(ctx, *labels, r, w);
               }, true));
}

}  // namespace switchboard::api
