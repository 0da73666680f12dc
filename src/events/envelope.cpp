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
constexpr std::string_view type_key = "\"type\":", conversation_field = ",\"conversation\":",
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
    out += conversation_field;
    append_json_string(out, conversation);
    out += data_key;
}

void end_envelope(std::string& out, timestamp at) { append_tail(out, at); }

std::size_t envelope_size(std::string_view type, std::string_view conversation) {
    constexpr std::size_t quotes = 4;  // around the type and the conversation
    return seq_room + type_key.size() + conversation_field.size() + data_key.size() + at_key.size() +
           tail_end.size() + quotes + type.size() + conversation.size() + iso8601_chars;
}

namespace {

// `{"seq":N,`: what the room before "type" becomes.
std::size_t seq_head(char (&head)[seq_room], std::uint64_t seq) {
    std::memcpy(head, "{\"seq\":", 7);
    auto end = std::to_chars(head + 7, head + seq_room - 1, seq).ptr;
    *end++ = ',';
    return static_cast<std::size_t>(end - head);
}

// Makes the room in front of "type" exactly `n` bytes. The room is all of
// seq_room as written, less once fitted; spare room is cut off the front
// (one move of the text, no copy of it), and nothing moves when it was
// fitted to these digits beforehand.
void set_room(std::string& text, std::size_t n) {
    auto room = text.find('"');
    assert(room != std::string::npos && room <= seq_room);
    if (room > n) text.erase(0, room - n);
    else if (room < n) text.insert(0, n - room, ' ');  // fitted for a seq with fewer digits
}

}  // namespace

void fit_envelope_room(std::string& text, std::uint64_t seq) {
    char head[seq_room];
    set_room(text, seq_head(head, seq));
}

void number_envelope(std::string& text, std::uint64_t seq) {
    // The seq goes right before "type".
    char head[seq_room];
    auto n = seq_head(head, seq);
    set_room(text, n);
    std::memcpy(text.data(), head, n);
}

std::string unnumbered_envelope(const event& e) {
    std::string data = boost::json::serialize(e.data);
    std::string out;
    out.reserve(seq_room + 64 + e.type.size() + e.conversation.size() + data.size());
    begin_envelope(out, e.type, e.conversation);
    out += data;
    append_tail(out, e.at);
    return out;
}

std::string_view envelope_type(std::string_view envelope) {
    // The type has no character JSON escapes: it ends at the next quote.
    auto at = envelope.find(type_key);
    if (at == std::string_view::npos) return {};
    envelope.remove_prefix(at + type_key.size() + 1);  // and the type's opening quote
    return envelope.substr(0, envelope.find('"'));
}

std::string_view envelope_time(std::string_view envelope) {
    if (envelope.size() < iso8601_chars + tail_end.size()) return {};
    return envelope.substr(envelope.size() - tail_end.size() - iso8601_chars, iso8601_chars);
}

envelope_rewriter::envelope_rewriter(const data_rewrite& r) : r_(r), record_("{\"id\":") {
    append_json_string(record_, r.data_id);
}

std::optional<std::string> envelope_rewriter::operator()(std::string_view envelope) const {
    // The data's key comes after the seq, the type and the conversation: a few dozen bytes in.
    auto data_at = envelope.find(data_key);
    constexpr auto tail = at_key.size() + iso8601_chars + tail_end.size();
    if (data_at == std::string_view::npos || envelope.size() < data_at + data_key.size() + tail) return std::nullopt;
    data_at += data_key.size();
    if (envelope.substr(data_at, envelope.size() - tail - data_at).substr(0, record_.size()) != record_)
        return std::nullopt;
    std::string out;
    out.reserve(data_at + r_.data.size() + tail);
    out.append(envelope.substr(0, data_at)).append(r_.data).append(envelope.substr(envelope.size() - tail));
    return out;
}

void envelope_eraser::add(const erased_conversation& e) {
    std::string key(conversation_field);
    append_json_string(key, e.phone);
    key += data_key;
    erased_.emplace_back(std::move(key), e.upto_seq);
}

std::optional<std::string> envelope_eraser::operator()(std::uint64_t seq, std::string_view envelope) const {
    auto at = envelope.find(conversation_field);
    if (at == std::string_view::npos) return std::nullopt;
    auto rest = envelope.substr(at);
    for (auto& [key, upto] : erased_)
        if (seq <= upto && rest.starts_with(key)) {
            // Its erasure's own announcement stays: consoles let the conversation go by it.
            if (envelope_type(envelope) == "conversation.deleted") return std::nullopt;
            return erased_envelope(seq, envelope_time(envelope));
        }
    return std::nullopt;
}

std::uint32_t conversation_key(std::string_view conversation) {
    // FNV-1a's 64-bit constants over eight bytes at a time (little-endian),
    // then each byte left, mixed and folded to 32 bits; spelt out: the stored log
    // keeps filters of these, which must read the same in every build
    // (std::hash promises no such thing). Every event is keyed, and a phone
    // is a word and a few bytes.
    constexpr std::uint64_t prime = 0x100000001b3ull;
    std::uint64_t h = 0xcbf29ce484222325ull;
    auto p = conversation.data();
    auto n = conversation.size();
    for (; n >= 8; p += 8, n -= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        h = (h ^ word) * prime;
    }
    for (; n > 0; ++p, --n) h = (h ^ static_cast<unsigned char>(*p)) * prime;
    // A word's last bytes reach only the product's high bits: MurmurHash3's
    // finalizer spreads them over all, which the filters read the low of.
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    auto folded = static_cast<std::uint32_t>(h ^ (h >> 32));
    return folded ? folded : 1;  // 0 is "not known"
}

std::string erased_envelope(std::uint64_t seq, std::string_view at) {
    std::string out;
    begin_envelope(out, erased_event_type, "");
    out += "{}";
    out += at_key;
    out += at;
    out += tail_end;
    number_envelope(out, seq);
    return out;
}

std::string envelope(std::uint64_t seq, const event& e) {
    auto out = unnumbered_envelope(e);
    number_envelope(out, seq);
    return out;
}

}  // namespace switchboard::events
