#include "event_blocks.hpp"

#include "switchboard/events/event.hpp"

#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace switchboard::store {

namespace {

// zstd's fast levels: every flush is packed on its way to the writer, and
// events repeat each other so much that the ratio hardly depends on the level.
constexpr int level = -5;
constexpr std::size_t header = 8 + 8 + 4;

template <class T>
void put(std::string& out, T v) {
    char b[sizeof v];
    std::memcpy(b, &v, sizeof v);  // little-endian on every target we build for
    out.append(b, sizeof v);
}

template <class T>
T get(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

}  // namespace

void conversation_filter::add(std::uint32_t key) {
    if (key == 0) {
        bits.fill(~std::uint64_t{0});
        return;
    }
    for (unsigned bit : {key & 255u, (key >> 8) & 255u}) bits[bit / 64] |= std::uint64_t{1} << (bit % 64);
}

bool conversation_filter::may_hold(std::uint32_t key) const {
    for (unsigned bit : {key & 255u, (key >> 8) & 255u})
        if (!(bits[bit / 64] & (std::uint64_t{1} << (bit % 64)))) return false;
    return true;
}

std::string conversation_filter::bytes() const {
    std::string out;
    for (auto word : bits) put(out, word);
    return out;
}

conversation_filter conversation_filter::from_bytes(std::string_view b) {
    conversation_filter f;
    if (b.size() != size) {
        f.add(0);
        return f;
    }
    for (std::size_t i = 0; i < f.bits.size(); ++i) f.bits[i] = get<std::uint64_t>(b.data() + 8 * i);
    return f;
}

void event_block_writer::clear() {
    raw_.clear();
    first_seq_ = UINT64_MAX, last_seq_ = 0;
    first_at_ = INT64_MAX, last_at_ = INT64_MIN;
    conversations_ = {};
    last_key_ = 0;
}

void event_block_writer::add(std::uint64_t seq, std::int64_t at_ms, std::string_view json,
                             std::uint32_t conversation_key) {
    if (conversation_key != last_key_ || conversation_key == 0) conversations_.add(conversation_key);
    last_key_ = conversation_key;
    first_seq_ = std::min(first_seq_, seq), last_seq_ = std::max(last_seq_, seq);
    first_at_ = std::min(first_at_, at_ms), last_at_ = std::max(last_at_, at_ms);
    put(raw_, seq);
    put(raw_, at_ms);
    put(raw_, static_cast<std::uint32_t>(json.size()));
    raw_.append(json);
}

std::string event_block_writer::compressed() const {
    thread_local const std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
    thread_local std::string buf;
    if (buf.size() < ZSTD_compressBound(raw_.size())) buf.resize(ZSTD_compressBound(raw_.size()));
    auto n = ZSTD_compressCCtx(cctx.get(), buf.data(), buf.size(), raw_.data(), raw_.size(), level);
    if (ZSTD_isError(n)) throw std::runtime_error(std::string("cannot pack events: ") + ZSTD_getErrorName(n));
    return std::string(buf.data(), n);
}

packed_event_block pack_events(const std::vector<event_record>& events) {
    // Every batch's events are packed on the thread that wrote them, a block
    // every few milliseconds: one buffer a thread, kept unless a burst made it
    // large, instead of one grown from nothing for each block.
    thread_local event_block_writer block;
    block.clear();
    for (auto& e : events) block.add(e.seq, to_unix_ms(e.at), *e.json, e.conversation_key);
    auto packed = block.pack();
    if (block.capacity() > (std::size_t{1} << 20)) block = event_block_writer();
    return packed;
}

packed_event_block events_from(std::string_view body, std::int64_t at_ms) {
    event_block_writer block;
    std::string text;
    for (auto& e : read_event_block(body, text))
        if (e.at_ms >= at_ms) block.add(e.seq, e.at_ms, e.json);
    return block.pack();
}

std::optional<packed_event_block> changed_block(std::string_view body, const event_change& change) {
    event_block_writer block;
    std::string text;
    bool changed = false;
    for (auto& e : read_event_block(body, text)) {
        auto now = change(e);
        changed = changed || (now && *now != e.json);  // not an event already as it is to be
        block.add(e.seq, e.at_ms, now ? *now : e.json);
    }
    if (!changed) return std::nullopt;
    return block.pack();
}

std::optional<packed_event_block> rewritten_block(std::string_view body, const events::data_rewrite& r) {
    events::envelope_rewriter rewritten(r);
    return changed_block(body, [&](const block_event& e) { return rewritten(e.json); });
}

std::optional<packed_event_block> erased_block(std::string_view body, const events::envelope_eraser& erased) {
    return changed_block(body, [&](const block_event& e) { return erased(e.seq, e.json); });
}

void hide_erased(std::vector<event_record>& events, const events::envelope_eraser& erased) {
    for (auto& e : events)
        if (auto now = erased(e.seq, *e.json)) e.json = std::make_shared<const std::string>(std::move(*now));
}

std::pair<std::int64_t, std::int64_t> first_at_of_blocks_carrying(const events::data_rewrite& r) {
    constexpr std::int64_t minute = 60'000;
    auto since = to_unix_ms(r.since);
    return {since - minute, since};
}

bool may_carry(std::int64_t first_at, std::int64_t last_at, const events::data_rewrite& r) {
    auto [earliest, latest] = first_at_of_blocks_carrying(r);
    return first_at >= earliest && first_at <= latest && last_at >= to_unix_ms(r.since);
}

void event_window::add(std::uint64_t seq, std::int64_t at_ms, std::string_view json) {
    if (seq > after_ && seq <= upto_) found_[seq] = {at_ms, std::make_shared<const std::string>(json)};
}

void event_window::add_block(std::string_view body) {
    for (auto& e : read_event_block(body, text_)) add(e.seq, e.at_ms, e.json);
}

std::vector<event_record> event_window::take(std::size_t limit) {
    std::vector<event_record> out;
    for (auto& [seq, e] : found_) {
        if (out.size() == limit) break;
        out.push_back({seq, from_unix_ms(e.first), std::move(e.second)});
    }
    return out;
}

std::vector<block_event> read_event_block(std::string_view body, std::string& text) {
    auto size = ZSTD_getFrameContentSize(body.data(), body.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (std::uint64_t{1} << 31))
        throw std::runtime_error("stored events are not a block");
    text.resize(size);
    auto n = ZSTD_decompress(text.data(), text.size(), body.data(), body.size());
    if (ZSTD_isError(n) || n != size) throw std::runtime_error("stored events are damaged");
    std::vector<block_event> out;
    for (std::size_t at = 0; at < text.size();) {
        if (text.size() - at < header) throw std::runtime_error("stored events are cut short");
        auto p = text.data() + at;
        auto len = get<std::uint32_t>(p + 16);
        if (text.size() - at - header < len) throw std::runtime_error("stored events are cut short");
        out.push_back({get<std::uint64_t>(p), get<std::int64_t>(p + 8), std::string_view(p + header, len)});
        at += header + len;
    }
    return out;
}

}  // namespace switchboard::store
