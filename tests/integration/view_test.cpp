// Saved views and the list's assignee filter against the real server: a
// view lists as its query does, is its agent's alone, is told to their
// sockets, refuses bad input changing nothing, and outlives a restart.
#include "api_session.hpp"
#include "http_client.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>

using namespace switchboard::test;
namespace json = boost::json;

namespace {

using phones = std::vector<std::string>;

// The phones a list request gives, sorted (two written to in one
// millisecond may come either way).
phones listed(const api_client& agent, const std::string& query) {
    phones out;
    auto page = agent.json("GET", "/conversations" + query);  // named: see participants_test's told_of
    for (auto& c : page.at("conversations").as_array()) out.emplace_back(c.at("phone").as_string());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> view_names(const json::value& views) {
    std::vector<std::string> out;
    for (auto& v : views.as_array()) out.emplace_back(v.at("name").as_string());
    return out;
}

// A server where users 8101–8104 wrote; bob has 8101 and 8102's chats,
// carol 8103's, and 8104 waits in the queue. 8102 is urgent.
struct four_chats {
    server_process server;
    unsigned short p = server.port();
    api_client admin = admin_client(server);
    api_client bob = agent_client(admin, "bob");
    api_client carol = agent_client(admin, "carol");

    four_chats() {
        for (auto phone : {"8101", "8102", "8103", "8104"}) user_says(p, phone, "hello");
        user_says(p, "8104", "support");
        bob.json("POST", "/conversations/8101/chat-support/start");
        bob.json("POST", "/conversations/8102/chat-support/start");
        carol.json("POST", "/conversations/8103/chat-support/start");
        bob.json("PUT", "/conversations/8102/priority", R"({"priority":"urgent"})");
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(views)

BOOST_FIXTURE_TEST_CASE(the_list_narrows_to_one_agents_chats, four_chats) {

    BOOST_TEST(listed(carol, "?assignee=bob") == (phones{"8101", "8102"}));
    BOOST_TEST(listed(carol, "?assignee=carol") == phones{"8103"});
    BOOST_TEST(listed(admin, "?assignee=admin").empty());
    BOOST_TEST(listed(carol, "?assignee=bob&priority=urgent") == phones{"8102"});
    BOOST_TEST(listed(carol, "?assignee=bob&filter=active&q=810") == (phones{"8101", "8102"}));
    BOOST_TEST(listed(carol, "?assignee=bob&order=priority&limit=1") == phones{"8102"});
    // The tabs' counts stay the whole list's; bob's active chats are his Mine.
    BOOST_TEST(carol.json("GET", "/conversations?assignee=bob").at("counts") ==
               carol.json("GET", "/conversations").at("counts"));
    BOOST_TEST(listed(bob, "?filter=mine") == listed(carol, "?assignee=bob&filter=active"));
    // An agent's chat ended is nobody's.
    bob.json("POST", "/conversations/8101/chat-support/end", "{}");
    BOOST_TEST(listed(carol, "?assignee=bob") == phones{"8102"});

    BOOST_TEST(refused_field(carol.call("GET", "/conversations?assignee=nobody")) == "assignee");
    BOOST_TEST(refused_field(carol.call("GET", "/conversations?assignee=")) == "assignee");
    BOOST_TEST(refused_field(carol.call("GET", "/conversations?filter=queued&order=queue&assignee=bob")) == "order");
}

// Chatwoot's inbox filter: the users of one channel, with the rest of the
// list's narrowing, in a saved view too.
BOOST_FIXTURE_TEST_CASE(the_list_narrows_to_one_channel, four_chats) {
    whatsapp_user_says(p, "8105", "wamid.8105.1", "hola");
    whatsapp_user_says(p, "8106", "wamid.8106.1", "support");
    bob.json("PUT", "/conversations/8106/priority", R"({"priority":"urgent"})");

    BOOST_TEST(listed(carol, "?channel=whatsapp") == (phones{"8105", "8106"}));
    BOOST_TEST(listed(carol, "?channel=plain") == (phones{"8101", "8102", "8103", "8104"}));
    BOOST_TEST(listed(carol, "?channel=whatsapp&priority=urgent") == phones{"8106"});
    BOOST_TEST(listed(carol, "?channel=plain&filter=queued") == phones{"8104"});
    BOOST_TEST(listed(carol, "?channel=whatsapp&order=priority&limit=1") == phones{"8106"});
    BOOST_TEST(listed(carol, "?channel=whatsapp&q=hola") == phones{"8105"});
    // The tabs' counts stay the whole list's.
    BOOST_TEST(carol.json("GET", "/conversations?channel=whatsapp").at("counts") ==
               carol.json("GET", "/conversations").at("counts"));

    BOOST_TEST(refused_field(carol.call("GET", "/conversations?channel=sms")) == "channel");
    BOOST_TEST(refused_field(carol.call("GET", "/conversations?channel=")) == "channel");
    BOOST_TEST(refused_field(carol.call("GET", "/conversations?filter=queued&order=queue&channel=plain")) == "order");

    auto wa = carol.json("POST", "/views", R"({"name":"WhatsApp","query":{"channel":"whatsapp"}})", 201);
    BOOST_TEST(listed(carol, "?view=" + std::string(wa.at("id").as_string())) == (phones{"8105", "8106"}));
    BOOST_TEST(refused_field(carol.call("GET", "/conversations?view=" + std::string(wa.at("id").as_string()) +
                                                   "&channel=plain")) == "channel");
    BOOST_TEST(refused_field(carol.call("POST", "/views", R"({"name":"SMS","query":{"channel":"sms"}})")) ==
               "query.channel");
    BOOST_TEST(carol.json("GET", "/views").at("views").as_array().size() == 1u);
}

// Chatwoot's custom attribute filter: the users with a detail of a value,
// in any case, with the rest of the list's narrowing, in a saved view too.
BOOST_FIXTURE_TEST_CASE(the_list_narrows_to_the_users_of_a_detail, four_chats) {
    admin.json("PUT", "/conversations/8101/attributes", R"({"attributes":{"plan":"Gold","email":"a@example.com"}})");
    admin.json("PUT", "/conversations/8102/attributes", R"({"attributes":{"plan":"gold"}})");
    admin.json("PUT", "/conversations/8103/attributes", R"({"attributes":{"plan":"Silver","tier":"Gold"}})");

    BOOST_TEST(listed(carol, "?attribute=plan:Gold") == (phones{"8101", "8102"}));
    BOOST_TEST(listed(carol, "?attribute=Plan:%20GOLD%20") == (phones{"8101", "8102"}));
    BOOST_TEST(listed(carol, "?attribute=plan:Silver") == phones{"8103"});
    BOOST_TEST(listed(carol, "?attribute=plan:Bronze").empty());
    BOOST_TEST(listed(carol, "?attribute=plan:Gold&priority=urgent") == phones{"8102"});
    BOOST_TEST(listed(carol, "?attribute=plan:Gold&assignee=bob&q=810") == (phones{"8101", "8102"}));
    BOOST_TEST(listed(carol, "?attribute=plan:Gold&order=priority&limit=1") == phones{"8102"});
    BOOST_TEST(carol.json("GET", "/conversations?attribute=plan:Gold").at("counts") ==
               carol.json("GET", "/conversations").at("counts"));

    for (auto bad : {"plan", "plan:", "plan:%20", ":Gold", "!!:Gold"})
        BOOST_TEST(refused_field(carol.call("GET", std::string("/conversations?attribute=") + bad)) == "attribute", bad);
    BOOST_TEST(refused_field(carol.call("GET", "/conversations?filter=queued&order=queue&attribute=plan:Gold")) == "order");

    auto gold = carol.json("POST", "/views", R"({"name":"Gold","query":{"attribute":"Plan: Gold"}})", 201);
    BOOST_TEST(gold.at("query") == json::parse(R"({"attribute":"plan:Gold"})"));
    BOOST_TEST(listed(carol, "?view=" + std::string(gold.at("id").as_string())) == (phones{"8101", "8102"}));
    BOOST_TEST(refused_field(carol.call("POST", "/views", R"({"name":"x","query":{"attribute":"plan"}})")) ==
               "query.attribute");
}

BOOST_FIXTURE_TEST_CASE(an_agent_lists_by_their_saved_views, four_chats) {
    ws_client bob_ws(p, "/ws?token=" + bob.token);
    ws_client carol_ws(p, "/ws?token=" + carol.token);
    bob_ws.next_of_type("hello");
    carol_ws.next_of_type("hello");

    auto urgent = carol.json("POST", "/views",
                             R"({"name":" Bob's urgent ","query":{"assignee":"bob","priority":"urgent"}})", 201);
    BOOST_TEST(urgent.at("name") == "Bob's urgent");  // trimmed
    BOOST_TEST(urgent.at("query") == json::parse(R"({"assignee":"bob","priority":"urgent"})"));
    auto id = std::string(urgent.at("id").as_string());
    BOOST_TEST(listed(carol, "?view=" + id) == phones{"8102"});
    BOOST_TEST(listed(carol, "?view=" + id) == listed(carol, "?assignee=bob&priority=urgent"));

    // Told to carol's own sockets, the whole list each time; bob's hear
    // only of his own: the first views.updated he gets is his view's.
    auto told = carol_ws.next_of_type("views.updated");
    BOOST_TEST(view_names(told.at("data").at("views")) == std::vector<std::string>{"Bob's urgent"});
    auto queue = bob.json("POST", "/views", R"({"name":"Queue","query":{"filter":"queued","order":"queue"}})", 201);
    BOOST_TEST(listed(bob, "?view=" + std::string(queue.at("id").as_string())) == phones{"8104"});
    BOOST_TEST(view_names(bob_ws.next_of_type("views.updated").at("data").at("views")) ==
               std::vector<std::string>{"Queue"});

    // Labels and teams kept as the list names them; a search as typed.
    bob.json("PUT", "/conversations/8101/labels", R"({"labels":["vip-customer"]})");
    auto vip = carol.json("POST", "/views", R"({"name":"a VIP","query":{"label":"VIP customer","q":"HELLO"}})", 201);
    BOOST_TEST(vip.at("query") == json::parse(R"({"label":"vip-customer","q":"HELLO"})"));
    BOOST_TEST(listed(carol, "?view=" + std::string(vip.at("id").as_string())) == phones{"8101"});
    // By name, in any case.
    BOOST_TEST(view_names(carol.json("GET", "/views").at("views")) == (std::vector<std::string>{"a VIP", "Bob's urgent"}));
    BOOST_TEST(view_names(bob.json("GET", "/views").at("views")) == std::vector<std::string>{"Queue"});

    // A page at a time, as the list pages.
    auto first = carol.json("GET", "/conversations?view=" + id + "&limit=1");
    BOOST_TEST(first.at("next_cursor").is_null());

    // Changed: its name, its query, or both; the rest stays.
    auto renamed = carol.json("PATCH", "/views/" + id, R"({"name":"Bob's live"})");
    BOOST_TEST(renamed.at("query") == urgent.at("query"));
    BOOST_TEST(renamed.at("created_at") == urgent.at("created_at"));
    auto requeried = carol.json("PATCH", "/views/" + id, R"({"query":{"assignee":"bob","filter":"active"}})");
    BOOST_TEST(requeried.at("name") == "Bob's live");
    BOOST_TEST(listed(carol, "?view=" + id) == (phones{"8101", "8102"}));

    // Another agent's view is not there for them.
    BOOST_TEST(bob.call("GET", "/conversations?view=" + id).status == 404u);
    BOOST_TEST(bob.call("PATCH", "/views/" + id, R"({"name":"mine now"})").status == 404u);
    BOOST_TEST(bob.call("DELETE", "/views/" + id).status == 404u);
    BOOST_TEST(admin.call("DELETE", "/views/" + id).status == 404u);
    BOOST_TEST(carol.json("GET", "/views").at("views").as_array().size() == 2u);

    BOOST_TEST(carol.json("DELETE", "/views/" + id).at("deleted").as_string() == id);
    BOOST_TEST(view_names(carol.json("GET", "/views").at("views")) == std::vector<std::string>{"a VIP"});
    BOOST_TEST(carol.call("GET", "/conversations?view=" + id).status == 404u);
    BOOST_TEST(http_request(p, "GET", "/views").status == 401u);
}

// Intercom's team views: an admin shares a view with the team; every agent
// lists and runs it, and is told of it; only admins change it.
BOOST_FIXTURE_TEST_CASE(an_admin_shares_a_view_with_the_team, four_chats) {
    ws_client bob_ws(p, "/ws?token=" + bob.token);
    bob_ws.next_of_type("hello");
    BOOST_TEST(refusal_message(bob.call("POST", "/views", R"({"name":"Ours","query":{},"shared":true})"), 403) ==
               "only an admin shares a view with the team");
    auto urgent = admin.json("POST", "/views", R"({"name":"Urgent","query":{"priority":"urgent"},"shared":true})", 201);
    BOOST_TEST(urgent.at("shared") == true);
    auto id = std::string(urgent.at("id").as_string());
    // bob hears of it, and lists it beside his own, by name.
    auto told = bob_ws.next_of_type("views.updated").at("data").at("views");
    BOOST_TEST(view_names(told) == std::vector<std::string>{"Urgent"});
    bob.json("POST", "/views", R"({"name":"mine","query":{"filter":"mine"}})", 201);
    auto bobs = bob.json("GET", "/views").at("views");
    BOOST_TEST(view_names(bobs) == (std::vector<std::string>{"mine", "Urgent"}));
    BOOST_TEST(bobs.at(0).at("shared") == false);
    BOOST_TEST(listed(carol, "?view=" + id) == phones{"8102"});
    // A shared view keeps its name apart from each agent's own.
    bob.json("POST", "/views", R"({"name":"urgent","query":{}})", 201);
    BOOST_TEST(admin.call("POST", "/views", R"({"name":"URGENT","query":{},"shared":true})").status == 409u);

    // Only admins change it, or take it away; and it stays shared.
    BOOST_TEST(refusal_message(bob.call("PATCH", "/views/" + id, R"({"name":"Mine now"})"), 403) ==
               "only an admin changes the team's shared views");
    BOOST_TEST(bob.call("DELETE", "/views/" + id).status == 403u);
    BOOST_TEST(refused_field(admin.call("PATCH", "/views/" + id, R"({"shared":false})")) == "shared");
    BOOST_TEST(admin.json("PATCH", "/views/" + id, R"({"name":"Urgent ones"})").at("shared") == true);
    admin.json("DELETE", "/views/" + id);
    // bob's sockets heard of each change, his own and the team's, in order.
    using names = std::vector<std::string>;
    for (auto& expected : {names{"mine", "Urgent"}, names{"mine", "Urgent", "urgent"},
                           names{"mine", "urgent", "Urgent ones"}, names{"mine", "urgent"}})
        BOOST_TEST(view_names(bob_ws.next_of_type("views.updated").at("data").at("views")) == expected);
    BOOST_TEST(carol.call("GET", "/conversations?view=" + id).status == 404u);
}

BOOST_AUTO_TEST_CASE(bad_views_are_refused_and_change_nothing) {
    server_process server;
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto kept = bob.json("POST", "/views", R"({"name":"Mine","query":{"filter":"mine"}})", 201);
    auto id = std::string(kept.at("id").as_string());

    struct bad {
        std::string body, field;
        bool to_a_change_too = true;  // a change may leave out the name or the query
    };
    for (auto& b : std::vector<bad>{{R"({"query":{}})", "name", false},
                                    {R"({"name":"  ","query":{}})", "name"},
                                    {R"({"name":")" + std::string(65, 'n') + R"(","query":{}})", "name"},
                                    {R"({"name":"x"})", "query", false},
                                    {R"({"name":"x","query":"filter=mine"})", "query"},
                                    {R"({"name":"x","query":{"cursor":"1_2"}})", "query"},
                                    {R"({"name":"x","query":{"limit":"5"}})", "query"},
                                    {R"({"name":"x","query":{"filter":3}})", "query.filter"},
                                    {R"({"name":"x","query":{"filter":"mien"}})", "query.filter"},
                                    {R"({"name":"x","query":{"order":"oldest"}})", "query.order"},
                                    {R"({"name":"x","query":{"order":"waiting"}})", "query.order"},
                                    {R"({"name":"x","query":{"label":"a!b"}})", "query.label"},
                                    {R"({"name":"x","query":{"priority":"asap"}})", "query.priority"},
                                    {R"({"name":"x","query":{"team":"a!b"}})", "query.team"},
                                    {R"({"name":"x","query":{"assignee":"nobody"}})", "query.assignee"},
                                    {R"({"name":"x","query":{"q":")" + std::string(201, 'q') + R"("}})", "query.q"},
                                    {R"({"name":"x","query":{},"shared":"yes"})", "shared"},
                                    {R"({"name":"x","query":{},"owner":"bob"})", "owner"},
                                    {"not json", "body"}}) {
        auto r = bob.call("POST", "/views", b.body);
        BOOST_TEST(r.status == 400u, b.body);
        BOOST_TEST(refused_field(r) == b.field, b.body);
        if (b.to_a_change_too) BOOST_TEST(refused_field(bob.call("PATCH", "/views/" + id, b.body)) == b.field, b.body);
    }
    BOOST_TEST(bob.json("GET", "/views").at("views") == json::array{kept});  // unchanged

    // A name the agent gave another view, in any case; others may use it.
    BOOST_TEST(bob.call("POST", "/views", R"({"name":"MINE","query":{}})").status == 409u);
    auto other = bob.json("POST", "/views", R"({"name":"Other","query":{}})", 201);
    BOOST_TEST(bob.call("PATCH", "/views/" + std::string(other.at("id").as_string()), R"({"name":"mine"})").status == 409u);
    admin.json("POST", "/views", R"({"name":"Mine","query":{}})", 201);
    // At most 50 an agent.
    for (int i = 3; i <= 50; ++i) bob.json("POST", "/views", R"({"name":"v)" + std::to_string(i) + R"(","query":{}})", 201);
    BOOST_TEST(bob.call("POST", "/views", R"({"name":"one too many","query":{}})").status == 409u);
    BOOST_TEST(bob.json("GET", "/views").at("views").as_array().size() == 50u);
    BOOST_TEST(bob.call("PATCH", "/views/view_nope", R"({"name":"x"})").status == 404u);

    // The list by a view takes a page's cursor and limit beside it, no more.
    BOOST_TEST(bob.call("GET", "/conversations?view=" + id + "&limit=5").status == 200u);
    BOOST_TEST(refused_field(bob.call("GET", "/conversations?view=" + id + "&filter=all")) == "filter");
    BOOST_TEST(refused_field(bob.call("GET", "/conversations?view=" + id + "&q=x")) == "q");
    BOOST_TEST(bob.call("GET", "/conversations?view=view_nope").status == 404u);
}

BOOST_AUTO_TEST_CASE(views_outlive_a_restart) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    json::value before;
    {
        server_process server(args);
        auto admin = known_admin(server.port());
        auto bob = agent_client(admin, "bob");
        bob.json("POST", "/views", R"({"name":"Urgent","query":{"priority":"urgent"}})", 201);
        auto gone = bob.json("POST", "/views", R"({"name":"Gone","query":{}})", 201);
        bob.json("DELETE", "/views/" + std::string(gone.at("id").as_string()));
        auto kept = bob.json("POST", "/views", R"({"name":"Team","query":{"team":"none"}})", 201);
        bob.json("PATCH", "/views/" + std::string(kept.at("id").as_string()), R"({"name":"No team"})");
        admin.json("POST", "/views", R"({"name":"Team queue","query":{"filter":"queued"},"shared":true})", 201);
        before = bob.json("GET", "/views");
    }
    server_process server(args);
    auto bob = api_client{server.port(), login(server.port(), "bob", "secret-bob")};
    BOOST_TEST(view_names(before.at("views")) == (std::vector<std::string>{"No team", "Team queue", "Urgent"}));
    BOOST_TEST(bob.json("GET", "/views") == before);
}

BOOST_AUTO_TEST_SUITE_END()
