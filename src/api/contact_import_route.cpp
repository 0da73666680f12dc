// POST /contacts/import: an admin's list of users (Chatwoot's contact
// import), a CSV file with a phone on each line, and their name, labels,
// channel and details if known. Each becomes a conversation with no message, which
// campaigns reach by its labels and an agent opens with POST /conversations;
// a user there is already takes the list's labels and details. The whole
// file is read and checked first: one bad line is a 400 naming it, and
// nothing is imported.
#include "audit.hpp"
#include "attribute_catalog.hpp"
#include "command_fields.hpp"
#include "csv_reader.hpp"

#include "switchboard/chat/conversation.hpp"
#include "switchboard/core/ascii_case.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <memory>
#include <unordered_map>

namespace switchboard::api {

namespace json = boost::json;
namespace net = boost::asio;
using boost::asio::awaitable;

namespace {

constexpr std::size_t max_contacts = 10'000;
// 10,000 lines of a phone, a name, a few labels and twenty details fit.
constexpr std::size_t max_file_bytes = 8u << 20;
constexpr std::size_t max_name_chars = 64;

struct contact_line {
    std::size_t line;
    std::string phone;
    chat::imported_contact contact;
};

// Where each of the header's columns goes: the phone, the name, the labels,
// the channel, or a detail of that name (any other column, as Chatwoot's
// custom attributes).
struct columns {
    std::size_t count = 0;  // the header's, each a line's
    std::optional<std::size_t> phone, name, labels, channel;
    std::vector<std::pair<std::size_t, std::string>> details;
};

std::string at_line_text(std::size_t line) { return "line " + std::to_string(line) + ": "; }

field_error at_line(std::size_t line, std::string field, const std::string& why) {
    return field_error{std::move(field), at_line_text(line) + why};
}

columns columns_of(const csv_record& header) {
    columns out;
    out.count = header.fields.size();
    std::vector<std::string> seen;
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
        auto name = chat::attribute_key_from(header.fields[i]);
        if (!name)
            throw at_line(header.line, "file",
                          "the column \"" + header.fields[i] +
                              "\" is no name for a detail: 1 to 32 characters of a-z, 0-9, - and _ (spaces become _)");
        if (std::find(seen.begin(), seen.end(), *name) != seen.end())
            throw at_line(header.line, "file", "the column " + *name + " is there twice");
        seen.push_back(*name);
        if (*name == "phone" || *name == "phone_number") {  // Chatwoot's export names it phone_number
            if (out.phone) throw at_line(header.line, "file", "one column of phone and phone_number, not both");
            out.phone = i;
        } else if (*name == "name")
            out.name = i;
        else if (*name == "labels")
            out.labels = i;
        else if (*name == "channel")  // as the export writes it: a list of both channels reads back whole
            out.channel = i;
        else
            out.details.emplace_back(i, std::move(*name));
    }
    if (!out.phone) throw at_line(header.line, "file", "the first line names the columns, and one is phone");
    if (out.details.size() > chat::max_attributes)
        throw at_line(header.line, "file",
                      "a conversation has at most " + std::to_string(chat::max_attributes) + " details, and " +
                          std::to_string(out.details.size()) + " columns would be");
    return out;
}

// A number as people write them in a sheet: +1 (555) 010-0100, 555.010.0100.
std::string without_separators(std::string_view typed) {
    std::string out;
    for (char c : typed)
        if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') out += c;
    return out;
}

// A cell as typed, less the quote that an export (csv_field) or a
// spreadsheet puts before a leading =, +, - or @ so that it is not run as
// a formula.
std::string cell_text(std::string_view cell) {
    auto text = chat::trim(cell);
    if (text.size() >= 2 && text[0] == '\'' && std::string_view("=+-@").find(text[1]) != std::string_view::npos)
        text.remove_prefix(1);
    return std::string(text);
}

// The line's channel: its own where the file has a channel column and the
// cell is not empty, else the import's (channel=).
chat::channel channel_of(const csv_record& r, const columns& cols, chat::channel via, const std::string& wa_number) {
    if (!cols.channel) return via;
    auto typed = cell_text(r.fields[*cols.channel]);
    if (typed.empty()) return via;
    auto own = chat::channel_from_string(ascii_lowered(typed));  // as a sheet may have it: WhatsApp
    if (!own)
        throw at_line(r.line, "channel",
                      "\"" + typed + "\" is no channel: plain or whatsapp (or empty, for the import's channel=)");
    if (*own == chat::channel::whatsapp && wa_number.empty())
        throw at_line(r.line, "channel",
                      "a WhatsApp contact needs the server's --wa-phone-number-id, the business number they are "
                      "written from");
    return *own;
}

// A custom attribute's detail as its type reads it (attribute_catalog.hpp).
contact_line contact_of(const csv_record& r, const columns& cols, chat::channel via, const std::string& wa_number,
                        const attribute_catalog& types) {
    if (r.fields.size() != cols.count)
        throw at_line(r.line, "file",
                      "the line has " + std::to_string(r.fields.size()) + " fields where the first line names " +
                          std::to_string(cols.count) + " columns");
    via = channel_of(r, cols, via, wa_number);
    contact_line out{r.line, {}, {via, via == chat::channel::whatsapp ? wa_number : std::string(), {}, {}, {}}};
    auto typed_phone = chat::trim(r.fields[*cols.phone]);
    auto phone = chat::normalize_phone(without_separators(typed_phone));
    if (!phone)
        throw at_line(r.line, "phone",
                      "\"" + std::string(typed_phone) +
                          "\" is no phone number: 1 to 32 digits, with or without a leading + (spaces, dashes, "
                          "dots and brackets between are left out)");
    out.phone = std::move(*phone);
    if (cols.name) {
        auto name = cell_text(r.fields[*cols.name]);
        if (chat::utf8_length(name).value_or(max_name_chars + 1) > max_name_chars || !one_line(name))
            throw at_line(r.line, "name", "a name is at most 64 characters on one line, in UTF-8");
        out.contact.name = std::move(name);
    }
    if (cols.labels) out.contact.labels = labels_in_text(r.fields[*cols.labels], "labels", at_line_text(r.line));
    for (auto& [column, key] : cols.details) {
        auto value = cell_text(r.fields[column]);
        if (value.empty()) continue;  // not known of this one
        if (!is_attribute_value(value))
            throw at_line(r.line, key,
                          "the detail " + key + " is a text of at most " + std::to_string(chat::max_attribute_chars) +
                              " characters on one line, in UTF-8");
        out.contact.attributes.emplace_back(key, std::move(value));
    }
    if (auto refused = types.conform(out.contact.attributes)) throw at_line(r.line, refused->key, refused->problem);
    std::sort(out.contact.attributes.begin(), out.contact.attributes.end());
    return out;
}

// Every line of the file, checked, or the first problem; each filed under
// `for_all` too.
std::vector<contact_line> contacts_in(const std::string& body, chat::channel via, const std::string& wa_number,
                                      const std::vector<std::string>& for_all, const attribute_catalog& types) {
    std::vector<csv_record> records;
    try {
        records = read_csv(body);
    } catch (const csv_error& e) {
        throw field_error{"file", e.what()};
    }
    if (records.empty()) throw field_error{"file", "the file is empty: its first line names the columns, one of them phone"};
    auto cols = columns_of(records.front());
    if (records.size() - 1 > max_contacts)
        throw field_error{"file", "a file has " + std::to_string(max_contacts) + " contacts at most, and this one " +
                                      std::to_string(records.size() - 1)};
    std::vector<contact_line> out;
    out.reserve(records.size() - 1);
    std::unordered_map<std::string, std::size_t> line_of;
    for (auto r = records.begin() + 1; r != records.end(); ++r) {
        auto c = contact_of(*r, cols, via, wa_number, types);
        for (auto& l : for_all) add_label_once(c.contact.labels, l);
        if (c.contact.labels.size() > chat::max_labels)
            throw at_line(c.line, "labels",
                          "with labels= it would have " + std::to_string(c.contact.labels.size()) +
                              " labels; a conversation has " + std::to_string(chat::max_labels) + " at most");
        auto [first, added] = line_of.emplace(c.phone, c.line);
        if (!added)
            throw at_line(c.line, "phone", "+" + c.phone + " is on line " + std::to_string(first->second) + " too");
        out.push_back(std::move(c));
    }
    if (out.empty()) throw field_error{"file", "the file names its columns and no contact"};
    return out;
}

// How many of each import_outcome, by its value.
using outcome_counts = std::array<std::size_t, 3>;

// Every `lanes`th line from `first`, one after another.
awaitable<outcome_counts> import_lane(api_context& ctx, std::shared_ptr<std::vector<contact_line>> lines,
                                      std::size_t first, std::size_t lanes) {
    outcome_counts counts{};
    for (auto i = first; i < lines->size(); i += lanes) {
        auto& l = (*lines)[i];
        auto importing = ctx.engine.import_contact(l.phone, std::move(l.contact));
        auto outcome = co_await std::move(importing);
        ++counts[static_cast<std::size_t>(outcome)];
    }
    co_return counts;
}

// Each line is its own write. Several at once, so that the store commits
// them together: one after another, a durable import waited for a commit
// a contact (3,900 a second).
awaitable<outcome_counts> import_in_lanes(api_context& ctx, std::shared_ptr<std::vector<contact_line>> lines) {
    constexpr std::size_t most_lanes = 16;
    auto ex = co_await net::this_coro::executor;
    auto lanes = std::min(most_lanes, lines->size());
    std::vector<decltype(net::co_spawn(ex, import_lane(ctx, lines, 0, 1), net::deferred))> ops;
    for (std::size_t k = 0; k < lanes; ++k) ops.push_back(net::co_spawn(ex, import_lane(ctx, lines, k, lanes), net::deferred));
    auto group = net::experimental::make_parallel_group(std::move(ops));
    auto all_done = group.async_wait(net::experimental::wait_for_all(), net::use_awaitable);
    auto [order, failures, per_lane] = co_await std::move(all_done);
    for (auto& failed : failures)
        if (failed) std::rethrow_exception(failed);
    outcome_counts total{};
    for (auto& lane : per_lane)
        for (std::size_t i = 0; i < total.size(); ++i) total[i] += lane[i];
    co_return total;
}

awaitable<http::response> import_contacts(api_context& ctx, const attribute_catalog& types, http::request& req,
                                          const auth::agent& who) {
    auto via = chat::channel_from_string(req.query_param("channel").value_or(""));
    if (!via) throw field_error{"channel", "channel must be whatsapp or plain: the channel the contacts are reached on"};
    if (*via == chat::channel::whatsapp && ctx.openings.wa_phone_number_id.empty())
        co_return not_configured("contacts cannot be imported on WhatsApp: the server needs --wa-phone-number-id, the "
                                 "business number they are written from");
    // Labels every contact of the file is filed under too (a list from a
    // fair: labels=spring-fair), beside their own.
    auto for_all = labels_in_text(req.query_param("labels").value_or(""), "labels");
    auto reading = [&] { return contacts_in(req.body, *via, ctx.openings.wa_phone_number_id, for_all, types); };
    auto lines = co_await scan(ctx, reading);
    // Checked against the conversations as they are, before any changes:
    // an import that cannot be whole changes nothing.
    for (auto& l : lines) {
        auto there = co_await ctx.engine.view(l.phone);
        if (!there) continue;
        if (auto why = chat::import_overflow(*there->record, l.contact)) throw at_line(l.line, why->field, why->what);
    }
    auto importing = import_in_lanes(ctx, std::make_shared<std::vector<contact_line>>(std::move(lines)));
    auto outcomes = co_await std::move(importing);
    json::object counts{{"channel", chat::to_string(*via)}, {"created", outcomes[0]}, {"updated", outcomes[1]},
                        {"unchanged", outcomes[2]}};
    auto details = counts;
    if (!for_all.empty()) details["labels"] = json::value_from(for_all);
    auto auditing = audit(ctx, who.username, "contacts.imported", "", std::move(details));
    co_await std::move(auditing);
    co_return json_response(200, counts);
}

}  // namespace

json::array import_channels(const api_context& ctx) {
    json::array out;
    if (!ctx.openings.wa_phone_number_id.empty()) out.emplace_back(json::string("whatsapp"));
    out.emplace_back(json::string("plain"));
    return out;
}

void add_contact_import_route(http::router& routes, api_context& ctx,
                              std::shared_ptr<const attribute_catalog> attributes) {
    constexpr std::string_view pattern = "/contacts/import";
    routes.add(http::verb::post, pattern,
               authed(
                   ctx, [&ctx, attributes](http::request& req, const auth::agent& who) {
                       return import_contacts(ctx, *attributes, req, who);
                   },
                   true));
    // An admin's session is checked before megabytes are read.
    routes.allow_body(http::verb::post, pattern, max_file_bytes,
                      [&ctx](const http::request& head) -> std::optional<http::response> {
                          auto who = ctx.agents.authenticate(session_token(head, false));
                          if (!who) return http::response::error(401, "unauthorized", "log in first: no valid session");
                          if (!who->is_admin())
                              return http::response::error(403, "forbidden", "only admins import contacts");
                          return std::nullopt;
                      });
}

}  // namespace switchboard::api
