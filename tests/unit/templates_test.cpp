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
                {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"OK"},
                                             {"type":"URL","text":"Go","url":"https://example.test/{{1}}"},
                                             {"type":"COPY_CODE","example":"SAVE25"}]}]},
 {"name":"url_variable_inside","language":"en_US","status":"APPROVED","category":"UTILITY",
  "components":[{"type":"BODY","text":"Hi"},
                {"type":"BUTTONS","buttons":[{"type":"URL","text":"Go","url":"https://example.test/{{1}}/x"}]}]},
 {"name":"flow","language":"en_US","status":"APPROVED","category":"UTILITY",
  "components":[{"type":"BODY","text":"Hi"},{"type":"BUTTONS","buttons":[{"type":"FLOW","text":"Book"}]}]},
 {"name":"location_header","language":"en_US","status":"APPROVED","category":"UTILITY",
  "components":[{"type":"HEADER","format":"LOCATION"},{"type":"BODY","text":"Here"}]},
 {"name":"document_header","language":"en_US","status":"APPROVED","category":"UTILITY",
  "components":[{"type":"HEADER","format":"DOCUMENT"},{"type":"BODY","text":"Your invoice"}]},
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

message_template named_template(std::string_view name) {
    for (auto& t : parse_template_page(meta_page).templates)
        if (t.name == name) return t;
    throw std::runtime_error("no template " + std::string(name) + " offered");
}

boost::asio::awaitable<void> list_into(template_catalog& catalog, template_list& out) { out = co_await catalog.list(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(whatsapp_templates)

BOOST_AUTO_TEST_CASE(only_approved_templates_whose_values_an_agent_can_give_are_offered) {
    auto page = parse_template_page(meta_page);
    BOOST_TEST(page.error.empty());
    std::vector<std::string> offered;
    for (auto& t : page.templates) offered.push_back(t.name);
    BOOST_TEST((offered == std::vector<std::string>{"order_update", "hello", "photo_header", "header_variable",
                                                     "url_variable", "document_header", "named"}));
    auto& t = page.templates[0];
    BOOST_TEST(t.name == "order_update");
    BOOST_TEST(t.language == "en_US");
    BOOST_TEST(t.category == "UTILITY");
    BOOST_TEST(t.header == "Your order");
    BOOST_TEST(t.footer == "Reply STOP to opt out");
    BOOST_TEST(t.parameters == 3u);
    BOOST_TEST(t.header_media.empty());
    BOOST_TEST(t.button_variables.empty());  // its link has no variable
    BOOST_TEST(page.templates[1].name == "hello");
    BOOST_TEST(page.templates[1].parameters == 0u);
    BOOST_TEST(page.templates[0].parameter_names.empty());
    BOOST_TEST(page.templates[0].header_variable.empty());
    BOOST_TEST(named_template("header_variable").header_variable == "1");
    BOOST_TEST(named_template("photo_header").header_media == "image");
    BOOST_TEST(named_template("photo_header").header.empty());
    BOOST_TEST(named_template("document_header").header_media == "document");
    auto buttons = named_template("url_variable").button_variables;
    BOOST_TEST_REQUIRE(buttons.size() == 2u);
    BOOST_TEST(buttons[0].index == 1u);  // the quick reply before it counts
    BOOST_TEST(buttons[0].type == "url");
    BOOST_TEST(buttons[0].text == "Go");
    BOOST_TEST(buttons[0].url == "https://example.test/{{1}}");
    BOOST_TEST(buttons[1].index == 2u);
    BOOST_TEST(buttons[1].type == "copy_code");
    BOOST_TEST(buttons[1].text == "Copy offer code");
    auto named = named_template("named");
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
    auto t = named_template("named");
    std::vector<std::string> values{"Sam", "A-1"};
    BOOST_TEST(!why_parameters_do_not_fit(t, values));
    BOOST_TEST(filled_in(t, {values}) == "Hi Sam, order A-1 is here. Bye, Sam!");
    auto sent = json::parse(template_send_object(t, {values}));
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
    BOOST_TEST(filled_in(t, {values}) == "*Your order*\nHi Sam, order A-1 ✓ ships tomorrow. Thanks, Sam!\n\n_Reply STOP to opt out_");
    auto sent = json::parse(template_send_object(t, {values}));
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
    auto t = named_template("header_variable");
    BOOST_TEST(!why_parameters_do_not_fit(t, {"Sam"}));
    BOOST_TEST(!why_header_value_does_not_fit(t, "A-1"));
    BOOST_TEST(filled_in(t, {{"Sam"}, "A-1"}) == "*Order A-1 update*\nHi Sam");
    BOOST_TEST(json::serialize(json::parse(template_send_object(t, {{"Sam"}, "A-1"}))) ==
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
    auto header = json::parse(template_send_object(named, {{"Sam"}, "A-1"})).at("components").at(0);
    BOOST_TEST(header.at("parameters").at(0).at("parameter_name").as_string() == "order_id");
}

// A photo, video or document header goes by a link, which Meta fetches.
BOOST_AUTO_TEST_CASE(a_media_header_is_sent_by_its_link) {
    auto photo = named_template("photo_header");
    template_fill fill{{}, {}, "https://cdn.example.test/summer.jpg", {}};
    BOOST_TEST(!why_fill_does_not_fit(photo, fill));
    BOOST_TEST(filled_in(photo, fill) == "[image] https://cdn.example.test/summer.jpg\nLook");
    BOOST_TEST(json::serialize(json::parse(template_send_object(photo, fill))) ==
               R"({"name":"photo_header","language":{"code":"en_US"},"components":[)"
               R"({"type":"header","parameters":[{"type":"image","image":{"link":"https://cdn.example.test/summer.jpg"}}]}]})");
    // A document is named by its link's last part, as the user's phone shows it.
    auto invoice = named_template("document_header");
    auto sent = json::parse(template_send_object(invoice, {{}, {}, "https://x.test/files/Invoice%20A-1.pdf?sig=1", {}}));
    BOOST_TEST(sent.at("components").at(0).at("parameters").at(0).at("document").at("filename").as_string() ==
               "Invoice A-1.pdf");

    auto why = [&](const message_template& t, std::string url) {
        return why_header_media_does_not_fit(t, url).value_or("");
    };
    BOOST_TEST(why(photo, "") == "photo_header's header is an image: give the link WhatsApp fetches it from");
    BOOST_TEST(why(invoice, "") == "document_header's header is a document: give the link WhatsApp fetches it from");
    BOOST_TEST(why(photo, "ftp://x.test/a.jpg").starts_with("the header's link must be a whole http:// or https://"));
    BOOST_TEST(why(photo, "https:///a.jpg").starts_with("the header's link must be a whole"));
    BOOST_TEST(why(photo, "https://").starts_with("the header's link must be a whole"));
    BOOST_TEST(why(photo, "https://x.test/a b.jpg") == "the header's link must have no spaces");
    BOOST_TEST(why(photo, "https://x.test/" + std::string(2040, 'a')) == "the header's link must be at most 2048 characters");
    BOOST_TEST(why(photo, "HTTP://x.test/a.jpg").empty());
    BOOST_TEST(why(order_update(), "https://x.test/a.jpg") == "order_update's header takes no file");
    auto misfit = why_fill_does_not_fit(photo, {});
    BOOST_TEST_REQUIRE(misfit.has_value());
    BOOST_TEST(misfit->field == "header_media_url");
}

// A link's end and a code to copy: one value a button, in Meta's order, each
// sent as its button's own component.
BOOST_AUTO_TEST_CASE(buttons_that_take_a_value_are_sent_with_it) {
    auto t = named_template("url_variable");
    template_fill fill{{}, {}, {}, {"A-1", "SAVE25"}};
    BOOST_TEST(!why_fill_does_not_fit(t, fill));
    BOOST_TEST(filled_in(t, fill) == "Hi");
    BOOST_TEST(json::serialize(json::parse(template_send_object(t, fill))) ==
               R"({"name":"url_variable","language":{"code":"en_US"},"components":[)"
               R"({"type":"button","sub_type":"url","index":"1","parameters":[{"type":"text","text":"A-1"}]},)"
               R"({"type":"button","sub_type":"copy_code","index":"2","parameters":[{"type":"coupon_code","coupon_code":"SAVE25"}]}]})");

    auto why = [&](std::vector<std::string> values) { return why_button_values_do_not_fit(t, values).value_or(""); };
    BOOST_TEST(why({"A-1"}) == "url_variable has 2 buttons that take a value, and 1 was given");
    BOOST_TEST(why({"", "SAVE25"}) == "the button \"Go\"'s link needs its end");
    BOOST_TEST(why({"a b", "SAVE25"}) == "the button \"Go\"'s link must have no spaces");
    BOOST_TEST(why({"A-1", "SAVE 25"}) == "the button \"Copy offer code\"'s code must have no spaces");
    BOOST_TEST(why({"A-1", "SAVE25SAVE25SAVE"}) == "the button \"Copy offer code\"'s code must be at most 15 characters");
    BOOST_TEST(why({"A-1", ""}) == "the button \"Copy offer code\"'s code is empty");
    BOOST_TEST(why({std::string(1990, 'a'), "x"}).ends_with("is over the 2000 characters WhatsApp takes"));
    BOOST_TEST(why_button_values_do_not_fit(order_update(), {"x"}).value_or("") ==
               "order_update has 0 buttons that take a value, and 1 was given");
    auto misfit = why_fill_does_not_fit(t, {});
    BOOST_TEST_REQUIRE(misfit.has_value());
    BOOST_TEST(misfit->field == "button_values");
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
