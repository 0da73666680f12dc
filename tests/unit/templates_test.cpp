// WhatsApp's template list as Meta answers it, a template filled in, and
// the list read from a local stand-in for the Graph API.
#include "switchboard/channels/templates.hpp"

#include "receiver.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace switchboard::channels;
namespace json = boost::json;

namespace {

// One page of GET /{waba_id}/message_templates, as the Graph API answers it:
// one template of each kind that can and cannot be sent.
constexpr std::string_view meta_page = R"({"data":[
 {"name":"order_update","language":"en_US","status":"APPROVED","category":"UTILITY","id":"1",
  "components":[{"type":"HEADER","format":"TEXT","text":"Your order"},
                {"type":"BODY","text":"Hi {{1}}, order {{2}} ships {{3}}. Thanks, {{1}}!",
                 "example":{"body_text":[["Sam","A-1","today"]]}},
                {"type":"FOOTER","text":"Reply STOP to opt out"},
                {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"OK"},
                                             {"type":"URL","text":"Track","url":"https://example.test/track"}]}]},
 {"name":"hello","language":"de","status":"APPROVED","category":"MARKETING",
  "components":[{"type":"BODY","text":"Hallo! Wie geht's?"}]},
 {"name":"pending_review","language":"en_US","status":"PENDING","category":"UTILITY",
  "components":[{"type":"BODY","text":"Hi"}]},
 {"name":"otp","language":"en_US","status":"APPROVED","category":"AUTHENTICATION",
  "components":[{"type":"BODY","text":"{{1}} is your code"}]},
 {"name":"photo_header","language":"en_US","status":"APPROVED","category":"MARKETING",
  "components":[{"type":"HEADER","format":"IMAGE"},{"type":"BODY","text":"Look"}]},
 {"name":"header_variable","language":"en_US","status":"APPROVED","category":"UTILITY",
  "components":[{"type":"HEADER","format":"TEXT","text":"Order {{1}} update"},{"type":"BODY","text":"Hi {{1}}"}]},
 {"name":"header_two_variables","language":"en_US","status":"APPROVED","category":"UTILITY",
  "components":[{"type":"HEADER","format":"TEXT","text":"{{1}} and {{2}}"},{"type":"BODY","text":"Hi"}]},
 {"name":"url_variable","language":"en_US","status":"APPROVED","category":"UTILITY",
  "components":[{"type":"BODY","text":"Hi"},
                {"type":"BUTTONS","buttons":[{"type":"URL","text":"Go","url":"https://example.test/{{1}}"}]}]},
 {"name":"named","language":"en_US","status":"APPROVED","category":"UTILITY","parameter_format":"NAMED",
  "components":[{"type":"BODY","text":"Hi {{first_name}}, order {{order_id}} is here. Bye, {{first_name}}!",
                 "example":{"body_text_named_params":[{"param_name":"first_name","example":"Sam"},
                                                      {"param_name":"order_id","example":"A-1"}]}}]},
 {"name":"named_badly","language":"en_US","status":"APPROVED","category":"UTILITY","parameter_format":"NAMED",
  "components":[{"type":"BODY","text":"Hi {{First Name}}"}]},
 {"name":"numbered_as_named","language":"en_US","status":"APPROVED","category":"UTILITY",
  "components":[{"type":"BODY","text":"Hi {{first_name}}"}]},
 {"name":"skips","language":"en_US","status":"APPROVED","category":"UTILITY",
  "components":[{"type":"BODY","text":"{{1}} and {{3}}"}]}
],"paging":{"cursors":{"before":"QVFI","after":"QVFIU+/="},"next":"https://graph.example.test/v21.0/next"}})";

message_template order_update() { return parse_template_page(meta_page).templates.at(0); }

boost::asio::awaitable<void> list_into(template_catalog& catalog, template_list& out) { out = co_await catalog.list(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(whatsapp_templates)

BOOST_AUTO_TEST_CASE(only_approved_templates_with_body_variables_alone_are_offered) {
    auto page = parse_template_page(meta_page);
    BOOST_TEST(page.error.empty());
    BOOST_TEST_REQUIRE(page.templates.size() == 4u);
    auto& t = page.templates[0];
    BOOST_TEST(t.name == "order_update");
    BOOST_TEST(t.language == "en_US");
    BOOST_TEST(t.category == "UTILITY");
    BOOST_TEST(t.header == "Your order");
    BOOST_TEST(t.footer == "Reply STOP to opt out");
    BOOST_TEST(t.parameters == 3u);
    BOOST_TEST(page.templates[1].name == "hello");
    BOOST_TEST(page.templates[1].parameters == 0u);
    BOOST_TEST(page.templates[0].parameter_names.empty());
    BOOST_TEST(page.templates[0].header_variable.empty());
    BOOST_TEST(page.templates[2].name == "header_variable");
    BOOST_TEST(page.templates[2].header_variable == "1");
    auto& named = page.templates[3];
    BOOST_TEST(named.name == "named");
    BOOST_TEST(named.parameters == 2u);
    BOOST_TEST((named.parameter_names == std::vector<std::string>{"first_name", "order_id"}));
    BOOST_TEST(page.after == "QVFIU+/=");  // a next page

    auto last = parse_template_page(R"({"data":[],"paging":{"cursors":{"before":"a","after":"b"}}})");
    BOOST_TEST(last.after.empty());  // no `next`: the last page
    BOOST_TEST(!parse_template_page(R"({"error":{"message":"x"}})").error.empty());
    BOOST_TEST(!parse_template_page("not json").error.empty());
}

BOOST_AUTO_TEST_CASE(a_body_counts_its_numbered_variables) {
    BOOST_TEST(body_parameter_count("no variables").value() == 0u);
    BOOST_TEST(body_parameter_count("{{2}} then {{1}}, {{2}} again").value() == 2u);
    BOOST_TEST(!body_parameter_count("{{1}} and {{3}}"));  // {{2}} skipped
    BOOST_TEST(!body_parameter_count("Hi {{name}}"));
    BOOST_TEST(!body_parameter_count("{{0}}"));
    BOOST_TEST(!body_parameter_count("{{1"));
}

BOOST_AUTO_TEST_CASE(a_named_body_lists_its_variables_once_each_in_order) {
    using names = std::vector<std::string>;
    BOOST_TEST((body_parameter_names("none").value() == names{}));
    BOOST_TEST((body_parameter_names("{{b_2}} {{a}} {{b_2}}").value() == names{"b_2", "a"}));
    BOOST_TEST(!body_parameter_names("{{First}}"));
    BOOST_TEST(!body_parameter_names("{{1}}"));
    BOOST_TEST(!body_parameter_names("{{2nd}}"));
    BOOST_TEST(!body_parameter_names("{{a b}}"));
    BOOST_TEST(!body_parameter_names("{{}}"));
    BOOST_TEST(!body_parameter_names("{{open"));
}

BOOST_AUTO_TEST_CASE(a_named_template_is_filled_in_by_name_and_sent_with_the_names) {
    auto t = parse_template_page(meta_page).templates.at(3);
    std::vector<std::string> values{"Sam", "A-1"};
    BOOST_TEST(!why_parameters_do_not_fit(t, values));
    BOOST_TEST(filled_in(t, values) == "Hi Sam, order A-1 is here. Bye, Sam!");
    auto sent = json::parse(template_send_object(t, values));
    auto& parameters = sent.at("components").at(0).at("parameters").as_array();
    BOOST_TEST_REQUIRE(parameters.size() == 2u);
    BOOST_TEST(parameters[0].at("parameter_name").as_string() == "first_name");
    BOOST_TEST(parameters[0].at("text").as_string() == "Sam");
    BOOST_TEST(parameters[1].at("parameter_name").as_string() == "order_id");
    BOOST_TEST(parameters[1].at("text").as_string() == "A-1");
    BOOST_TEST(why_parameters_do_not_fit(t, {"Sam", ""}).value_or("") == "{{order_id}} is empty");
    BOOST_TEST(why_parameters_do_not_fit(t, {"Sam"}).value_or("") == "named takes 2 values, and 1 was given");
}

BOOST_AUTO_TEST_CASE(a_template_is_filled_in_as_the_user_reads_it_and_sent_by_its_object) {
    auto t = order_update();
    std::vector<std::string> values{"Sam", "A-1 ✓", "tomorrow"};
    BOOST_TEST(!why_parameters_do_not_fit(t, values));
    BOOST_TEST(filled_in(t, values) == "*Your order*\nHi Sam, order A-1 ✓ ships tomorrow. Thanks, Sam!\n\n_Reply STOP to opt out_");
    auto sent = json::parse(template_send_object(t, values));
    BOOST_TEST(sent.at("name").as_string() == "order_update");
    BOOST_TEST(sent.at("language").at("code").as_string() == "en_US");
    auto& parameters = sent.at("components").at(0).at("parameters").as_array();
    BOOST_TEST(sent.at("components").at(0).at("type").as_string() == "body");
    BOOST_TEST_REQUIRE(parameters.size() == 3u);
    BOOST_TEST(parameters[1].at("type").as_string() == "text");
    BOOST_TEST(parameters[1].at("text").as_string() == "A-1 ✓");
    BOOST_TEST(!parameters[1].as_object().contains("parameter_name"));  // numbered

    // No variables, no components.
    message_template hello{"hello", "de", "MARKETING", {}, "Hallo!", {}, 0};
    BOOST_TEST(json::serialize(json::parse(template_send_object(hello, {}))) ==
               R"({"name":"hello","language":{"code":"de"}})");
    BOOST_TEST(filled_in(hello, {}) == "Hallo!");
}

// A text header's one variable: its own value, its own component.
BOOST_AUTO_TEST_CASE(a_header_variable_is_filled_in_and_sent_as_the_header) {
    auto t = parse_template_page(meta_page).templates.at(2);
    BOOST_TEST(!why_parameters_do_not_fit(t, {"Sam"}));
    BOOST_TEST(!why_header_value_does_not_fit(t, "A-1"));
    BOOST_TEST(filled_in(t, {"Sam"}, "A-1") == "*Order A-1 update*\nHi Sam");
    BOOST_TEST(json::serialize(json::parse(template_send_object(t, {"Sam"}, "A-1"))) ==
               R"({"name":"header_variable","language":{"code":"en_US"},"components":[)"
               R"({"type":"header","parameters":[{"type":"text","text":"A-1"}]},)"
               R"({"type":"body","parameters":[{"type":"text","text":"Sam"}]}]})");
    BOOST_TEST(why_header_value_does_not_fit(t, "").value_or("") == "the header's {{1}} is empty");
    BOOST_TEST(why_header_value_does_not_fit(t, "a\nb").value_or("").starts_with("the header's {{1}} must be on one line"));
    BOOST_TEST(why_header_value_does_not_fit(t, std::string(50, 'x')).value_or("") ==
               "filled in, the header is over the 60 characters WhatsApp takes");
    BOOST_TEST(why_header_value_does_not_fit(order_update(), "x").value_or("") == "order_update's header takes no value");
    BOOST_TEST(!why_header_value_does_not_fit(order_update(), ""));

    // Named: the header's variable goes by its name.
    auto named = parse_template_page(R"({"data":[{"name":"n","language":"en","status":"APPROVED","category":"UTILITY",
        "parameter_format":"NAMED","components":[{"type":"HEADER","format":"TEXT","text":"Order {{order_id}}"},
                                                 {"type":"BODY","text":"Hi {{first_name}}"}]}]})").templates.at(0);
    BOOST_TEST(named.header_variable == "order_id");
    auto header = json::parse(template_send_object(named, {"Sam"}, "A-1")).at("components").at(0);
    BOOST_TEST(header.at("parameters").at(0).at("parameter_name").as_string() == "order_id");
}

BOOST_AUTO_TEST_CASE(values_that_whatsapp_would_refuse_are_named) {
    auto t = order_update();
    auto why = [&](std::vector<std::string> values) { return why_parameters_do_not_fit(t, values).value_or(""); };
    BOOST_TEST(why({"Sam", "A-1"}) == "order_update takes 3 values, and 2 were given");
    BOOST_TEST(why({"Sam", "", "x"}) == "{{2}} is empty");
    BOOST_TEST(why({"Sam", "   ", "x"}) == "{{2}} is empty");
    BOOST_TEST(why({"Sam", "a\nb", "x"}).starts_with("{{2}} must be on one line"));
    BOOST_TEST(why({"Sam", "a\tb", "x"}).starts_with("{{2}} must be on one line"));
    BOOST_TEST(why({"a     b", "x", "y"}).starts_with("{{1}} has more than four spaces"));
    BOOST_TEST(why({"Sam", "x", std::string(1025, 'z')}) == "{{3}} must be at most 1024 characters");
    BOOST_TEST(why({"Sam", "x", "\xff"}) == "{{3}} must be UTF-8 text");
    BOOST_TEST(why({std::string(500, 'a'), "x", "y"}).starts_with("filled in, the template is over"));  // {{1}} twice
}

// Two agents opening the dialog together: one read of Meta's list, and
// that list kept a while for the next to ask.
BOOST_AUTO_TEST_CASE(agents_asking_at_once_share_one_read_of_metas_list) {
    namespace net = boost::asio;
    switchboard::test::receiver graph(
        {200, R"({"data":[{"name":"hello","language":"de","status":"APPROVED","category":"MARKETING",
                            "components":[{"type":"BODY","text":"Hallo!"}]}]})", {}});
    net::io_context ioc;
    template_options o;
    o.wa_api_base = graph.url();
    o.business_account_id = "waba-1";
    template_catalog catalog(ioc, o);
    template_list first, second;
    net::co_spawn(ioc, list_into(catalog, first), net::detached);
    net::co_spawn(ioc, list_into(catalog, second), net::detached);
    ioc.run();
    BOOST_TEST_REQUIRE(first.templates, first.error);
    BOOST_TEST_REQUIRE(second.templates, second.error);
    BOOST_TEST(second.templates->at(0).name == "hello");
    BOOST_TEST(graph.requests().size() == 1u);
    template_list later;
    net::co_spawn(ioc, list_into(catalog, later), net::detached);
    ioc.restart();
    ioc.run();
    BOOST_TEST(later.templates == first.templates);  // the same list, kept
    BOOST_TEST(graph.requests().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
