// Events pushed to agents (SPEC §5). The engine publishes; the WebSocket hub
// numbers, retains and fans them out.
#pragma once

#include "switchboard/core/time.hpp"
#include "switchboard/events/data_rewrite.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::events {

struct event {
    std::string_view type;     // message.created, chat.started, …: SPEC §5's names, literals only
    std::string conversation;  // the phone
    boost::json::object data;
    timestamp at{};
    // When set, the envelope already written but for its seq (see
    // `begin_envelope`); it wins over `data`. Messages and conversations,
    // the frequent ones, come this way: the hub then only numbers them.
    std::string text;
    // conversation_key(conversation), when the publisher has it (a step's
    // events share one); 0: the hub works it out.
    std::uint32_t conversation_key = 0;
};

// An event's envelope, {"seq":…,"type":…,"conversation":…,"data":…,"at":…},
// written before its seq is known: the hub numbers events under its lock,
// and a step writes its events before that. `begin_envelope` leaves room for
// the seq and writes up to `"data":`; the caller appends the data's JSON;
// `end_envelope` closes it; the hub's `number_envelope` fills in the seq.
void begin_envelope(std::string& out, std::string_view type, std::string_view conversation);
void end_envelope(std::string& out, timestamp at);
// The bytes those two add when `type` and `conversation` need no escaping.
std::size_t envelope_size(std::string_view type, std::string_view conversation);
// Fills in the seq. The room may have been fitted for another seq first;
// numbering then moves the text only when that seq had another number of
// digits.
void number_envelope(std::string& text, std::uint64_t seq);
// Cuts the room down to what `seq` will need, so that numbering it later
// (under the hub's lock) only copies the seq in.
void fit_envelope_room(std::string& text, std::uint64_t seq);
// The envelope of an event that came with `data` instead of `text`: without
// its seq, or whole.
std::string unnumbered_envelope(const event& e);
std::string envelope(std::uint64_t seq, const event& e);
// The type an envelope names ("message.created"), read off its text.
std::string_view envelope_type(std::string_view envelope);
// Its time as written (to_iso8601's form, which sorts as the times do);
// empty for a text too short to be one.
std::string_view envelope_time(std::string_view envelope);

// Rewrites numbered envelopes: the envelope with `r.data` as its data, when
// its data is r's record; nullopt for any other. Asked of every event kept
// nearby, so the record's start is made once, and an envelope is read only
// up to its data's start.
class envelope_rewriter {
public:
    explicit envelope_rewriter(const data_rewrite& r);
    std::optional<std::string> operator()(std::string_view envelope) const;

private:
    const data_rewrite& r_;
    std::string record_;  // {"id":"<id>" and its closing quote: one id is no other's start
};

// Makes placeholders of the envelopes of conversations erased
// (erased_conversation): asked of every event kept, so each erased
// conversation's key is made once, and an envelope is read only up to its
// data's start.
class envelope_eraser {
public:
    void add(const erased_conversation& e);
    bool empty() const { return erased_.empty(); }
    // The placeholder for the envelope numbered `seq`, when it is one of an
    // erased conversation's; nullopt for any other.
    std::optional<std::string> operator()(std::uint64_t seq, std::string_view envelope) const;

private:
    // ,"conversation":"<phone>","data": and the last seq erased of it.
    std::vector<std::pair<std::string, std::uint64_t>> erased_;
};

// An erased event's placeholder: {"seq":seq,"type":"erased","conversation":"","data":{},"at":at}.
inline constexpr std::string_view erased_event_type = "erased";
std::string erased_envelope(std::uint64_t seq, std::string_view at);

// A conversation's phone hashed, which the hub keeps beside each event of
// its ring and the stored log beside each block (a filter of them), so that
// an erasure reads only the events that may be of it. Never 0; the same in
// every build.
std::uint32_t conversation_key(std::string_view conversation);

// Every type of event in the numbered log agents get (SPEC §5, and the
// settings' announcements), which --events-types may choose from.
inline constexpr std::string_view kept_event_types[] = {
    "message.created",  "message.status",   "message.updated", "conversation.updated", "conversation.deleted",
    "chat.started",     "chat.queued",      "chat.assigned",   "chat.transferred",     "chat.ended",
    "chat.sla_missed",  "agent.presence",   "sla.updated",     "teams.updated",        "labels.updated",
    "campaign.updated", "campaign.deleted"};

class event_sink {
public:
    virtual ~event_sink() = default;
    // Must not block: called from conversation actors.
    virtual void publish(event e) = 0;
    // One step's events, in order, moved from.
    virtual void publish_all(std::vector<event>& events) {
        for (auto& e : events) publish(std::move(e));
    }
    // Rewrites the events kept that carry r's record (data_rewrite): those
    // in memory before it returns, the stored ones soon. Must not block
    // for long.
    virtual void rewrite(data_rewrite r) { (void)r; }
    // `phone`'s conversation was erased, its conversation.deleted published
    // last: every event of it numbered so far becomes a placeholder
    // (erased_conversation), those in memory before it returns, the stored
    // ones soon after. Must not block for long.
    virtual void forget_conversation(std::string phone) { (void)phone; }
};

// For when nobody listens (tools, some tests).
class null_sink final : public event_sink {
public:
    void publish(event) override {}
};

}  // namespace switchboard::events
