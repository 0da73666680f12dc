// GET /contacts/export: every user the server knows (Chatwoot's contact
// export), those who wrote and those imported, as a CSV file that
// POST /contacts/import reads back: phone, name, labels, channel, then one
// column for each detail any of them has. Streamed a page at a time.
#include "command_fields.hpp"
#include "contact_filter.hpp"

#include "switchboard/chat/engine.hpp"

#include <algorithm>
#include <memory>
#include <set>

namespace switchboard::api {

using boost::asio::awaitable;

namespace {

constexpr std::size_t page_size = 1000;

// The file's pages, each rendered as a scan (scanned_body). The first takes
// the list of users as it is then, by phone, and the details' names.
class contact_pages {
public:
    contact_pages(const chat::engine& engine, contact_filter filter) : engine_(engine), filter_(std::move(filter)) {}

    std::optional<std::string> operator()() {
        if (!read_) return header();
        if (next_ == rows_.size()) return std::nullopt;
        std::string out;
        auto end = std::min(rows_.size(), next_ + page_size);
        for (; next_ < end; ++next_) out += row(*rows_[next_].record);
        return out;
    }

private:
    std::string header() {
        read_ = true;
        rows_ = contacts_by_phone(engine_, filter_);
        std::set<std::string> keys;
        for (auto& r : rows_)
            for (auto& [key, value] : r.record->attributes) keys.insert(key);
        keys_.assign(keys.begin(), keys.end());
        std::string out = "phone,name,labels,channel";
        for (auto& k : keys_) out += "," + csv_field(k);
        return out + "\r\n";
    }

    std::string row(const chat::conversation& c) const {
        std::string labels;
        for (auto& l : c.labels) labels += (labels.empty() ? "" : ",") + l;
        auto out = csv_field(c.phone) + "," + csv_field(c.name) + "," + csv_field(labels) + "," +
                   std::string(chat::to_string(c.via));
        for (auto& k : keys_) {
            auto at = std::find_if(c.attributes.begin(), c.attributes.end(), [&](auto& a) { return a.first == k; });
            out += "," + (at == c.attributes.end() ? std::string() : csv_field(at->second));
        }
        return out + "\r\n";
    }

    const chat::engine& engine_;
    contact_filter filter_;
    bool read_ = false;
    std::vector<chat::conversation_view> rows_;
    std::vector<std::string> keys_;
    std::size_t next_ = 0;
};

awaitable<http::response> export_contacts(api_context& ctx, http::request& req, const auth::agent&) {
    auto filter = read_contact_filter(req);
    http::response res;
    res.content_type = "text/csv; charset=utf-8";
    res.set_header("Content-Disposition", "attachment; filename=\"contacts.csv\"");
    res.stream = scanned_body(ctx, std::make_shared<contact_pages>(ctx.engine, std::move(filter)));
    co_return res;
}

}  // namespace

void add_contact_export_route(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/contacts/export", authed(ctx, [&ctx](http::request& r, const auth::agent& w) {
                   return export_contacts(ctx, r, w);
               }, true));
}

}  // namespace switchboard::api
