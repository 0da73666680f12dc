#include "contact_filter.hpp"

#include "command_fields.hpp"
#include "list_params.hpp"
#include "request_helpers.hpp"

#include "switchboard/core/ascii_case.hpp"

#include <algorithm>

namespace switchboard::api {

bool contact_filter::passes(const chat::conversation& c) const {
    return (!via || c.via == *via) && (label.empty() || std::binary_search(c.labels.begin(), c.labels.end(), label)) &&
           (q.empty() || person_matches(c, q)) && (!attribute || has_detail(c, attribute->first, attribute->second));
}

contact_filter read_contact_filter(const http::request& req) {
    contact_filter f;
    if (auto typed = req.query_param("channel")) f.via = channel_param(*typed);
    if (auto typed = req.query_param("label")) {
        auto l = chat::label_from(*typed);
        if (!l) throw field_error{"label", std::string(label_rule)};
        f.label = std::move(*l);
    }
    f.q = ascii_lowered(req.query_param("q").value_or(""));
    if (auto typed = req.query_param("attribute")) f.attribute = attribute_param(*typed);
    return f;
}

std::vector<chat::conversation_view> contacts_by_phone(const chat::engine& engine, const contact_filter& filter) {
    auto rows = engine.listed(chat::every_conversation([&](const chat::conversation& c) { return filter.passes(c); })).rows;
    std::sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.record->phone < b.record->phone; });
    return rows;
}

}  // namespace switchboard::api
