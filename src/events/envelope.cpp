// Event envelopes written by hand: building a json::object per event, and
// then copying the data into the envelope, were the largest costs of a step.
#include "switchboard/events/event.hpp"

#include "switchboard/core/json_text.hpp"

#include <boost/json/serialize.hpp>

#include <cassert>
#include <charconv>
#include <cstring>

namespace switchboard::events {

namespace {

// `{"seq":` and up to 20 digits and a comma.
constexpr std::size_t seq_room = 28;

// The envelope's own text around its values, shared by the writers and
// envelope_size.
constexpr std::string_view type_key = "\"type\":", conversation_key = ",\"conversation\":",
                           data_key = ",\"data\":", at_key = ",\"at\":\"", tail_end = "\"}";

void append_tail(std::string& out, timestamp at) {
    out += at_key;
    append_iso8601(out, at);
    out += tail_end;
}

}  // namespace

void begin_envelope(std::string& out, std::string_view type, std::string_view conversation) {
    out.append(seq_room, ' ');
    out += type_key;
    append_json_string(out, type);
    out += conversation_key;
    append_json_string(out, conversation);
    out += data_key;
}

void end_envelope(std::string& out, timestamp at) { append_tail(out, at); }

std::size_t envelope_size(std::string_view type, std::string_view conversation) {
    constexpr std::size_t quotes = 4;  // around the type and the conversation
    return seq_room + type_key.size() + conversation_key.size() + data_key.size() + at_key.size() +
           tail_end.size() + quotes + type.size() + conversation.size() + iso8601_chars;
}

void number_envelope(std::string& text, std::uint64_t seq) {
    // The seq goes right before "type", and the unused room is cut off the
    // front: one move of the text, no copy of it.
    char head[seq_room];
    std::memcpy(head, "{\"seq\":", 7);
    auto end = std::to_chars(head + 7, head + seq_room - 1, seq).ptr;
    *end++ = ',';
    auto n = static_cast<std::size_t>(end - head);
    assert(text.size() >= seq_room && n <= seq_room);
    std::memcpy(text.data() + (seq_room - n), head, n);
    text.erase(0, seq_room - n);
}

std::string envelope(std::uint64_t seq, const event& e) {
    std::string data = boost::json::serialize(e.data);
    std::string out;
    out.reserve(seq_room + 64 + e.type.size() + e.conversation.size() + data.size());
    begin_envelope(out, e.type, e.conversation);
    out += data;
    append_tail(out, e.at);
    number_envelope(out, seq);
    return out;
}

}  // namespace switchboard::events
