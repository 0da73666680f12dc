// Writing JSON text by hand on hot paths (events, their envelopes), where
// building a boost::json value first costs more than the rest of the step.
#pragma once

#include <string>
#include <string_view>

namespace boost::json {
class value;
}

namespace switchboard {

// Appends `s` as a JSON string literal, escaped as RFC 8259 requires (UTF-8 passes through).
void append_json_string(std::string& out, std::string_view s);

// Appends `s` between quotes as it is: only for text that never needs
// escaping (the names of our own states, senders and statuses).
void append_json_quoted(std::string& out, std::string_view s);

// Whether `s` has a byte that a JSON string must escape (a quote, a
// backslash or a control character).
bool needs_json_escape(std::string_view s);

// `v` as JSON text, as boost::json::serialize writes it but for numbers
// with a fraction: the shortest text that reads back the same, in plain
// decimals from a millionth to 1e16 (4.5, 20, 0.001, 100000), where
// Boost.JSON writes 4.5E0, 2E1, 1E-3 and 1E5. For what people read:
// the REST answers. NaN and infinities, which JSON has no text for, are null.
std::string json_text(const boost::json::value& v);

}  // namespace switchboard
