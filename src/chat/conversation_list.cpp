#include "conversation_list.hpp"

#include "conversation_actor.hpp"

#include <algorithm>

namespace switchboard::chat {

namespace {

std::uint16_t flags_for(list_query::only filter) {
    switch (filter) {
        case list_query::only::active: return list_key::active;
        case list_query::only::queued: return list_key::queued;
        case list_query::only::assigned_to: return list_key::assigned;
        case list_query::only::blocked: return list_key::blocked;
        case list_query::only::snoozed: return list_key::snoozed;
        case list_query::only::waiting: return list_key::waiting;
        case list_query::only::followed_by: return list_key::followed;
        case list_query::only::all: break;
    }
    return 0;
}

// A snoozed chat is put aside: out of the lists of chats to work on. A
// contact no message has been written to or from yet is no conversation to
// the agents' lists (Chatwoot's contacts are not its conversations).
std::uint16_t flags_left_out_of(const list_query& q) {
    bool to_work_on = q.filter == list_query::only::active || q.filter == list_query::only::assigned_to ||
                      q.filter == list_query::only::waiting;
    return static_cast<std::uint16_t>((to_work_on ? list_key::snoozed : 0) | (q.with_contacts ? 0 : list_key::contact));
}

// Where a conversation stands in the list's order, one number for both
// orders (higher first; ties by phone): the activity, under the priority
// when the list is by priority. 2^48 ms is 8,900 years.
std::int64_t rank_of(list_query::order by, conv_priority priority, std::int64_t activity_ms) {
    activity_ms = std::max<std::int64_t>(activity_ms, 0);
    if (by == list_query::order::activity) return activity_ms;
    return static_cast<std::int64_t>(priority) << 48 | activity_ms;
}

std::int64_t rank_of(list_query::order by, const conversation& c) {
    return rank_of(by, c.priority, to_unix_ms(c.last_activity));
}

std::optional<std::int64_t> after_rank(const list_query& q) {
    if (!q.after) return std::nullopt;
    return rank_of(q.by, q.after->priority, q.after->activity_ms);
}

// The list's order on a conversation's own state: the board's copy may be
// a step behind it.
bool listed_before(list_query::order by, const conversation& a, const conversation& b) {
    auto ar = rank_of(by, a), br = rank_of(by, b);
    if (ar != br) return ar > br;
    return a.phone < b.phone;
}

bool passes(const list_query& q, const conversation& c) {
    if (q.filter == list_query::only::active && !c.chat_support_active) return false;
    if (q.filter == list_query::only::queued && !c.queued_at) return false;
    if (q.filter == list_query::only::assigned_to && c.assignee != q.assignee) return false;
    if (q.filter == list_query::only::blocked && !c.blocked) return false;
    if (q.filter == list_query::only::snoozed && !c.snoozed_until) return false;
    if (q.filter == list_query::only::waiting && !waiting_since(c)) return false;
    if (q.filter == list_query::only::followed_by && !followed_by(c, q.assignee)) return false;
    auto without = flags_left_out_of(q);
    if ((without & list_key::snoozed) && c.snoozed_until) return false;
    if ((without & list_key::contact) && no_message_yet(c)) return false;
    if (q.by == list_query::order::waiting) return !q.matches || q.matches(c);  // its cursor is listed_by_wait's
    if (auto after = after_rank(q)) {
        auto rank = rank_of(q.by, c);
        if (rank > *after || (rank == *after && c.phone <= q.after->phone)) return false;
    }
    return !q.matches || q.matches(c);
}

struct candidate {
    std::int64_t rank;  // rank_of, by the board's key
    const conversation_actor* actor;
};

bool ahead(const candidate& a, const candidate& b) { return a.rank > b.rank; }

// The conversations a page may come from, by the board. With `keep`, only
// the `keep` newest (and any tied with the last of them): a list of 50
// among 100,000 then never holds more than a few hundred. `dropped` says
// whether any were left out.
std::vector<candidate> candidates_for(const activity_board& board, const list_query& q, std::optional<std::size_t> keep,
                                      bool& dropped) {
    auto flags = flags_for(q.filter);
    auto without = flags_left_out_of(q);
    auto after = after_rank(q);
    std::vector<candidate> out;
    std::size_t cap = keep ? 4 * *keep : 0;
    std::int64_t floor = INT64_MIN;  // further down than this: not on the page
    board.for_each([&](const activity_board::slot& s, const conversation_actor& a) {
        auto k = s.listed();
        auto rank = rank_of(q.by, k.priority(), k.activity_ms());
        if (!k.has(flags, without) || (after && rank > *after)) return;
        if (rank < floor) {
            dropped = true;
            return;
        }
        out.push_back({rank, &a});
        if (out.size() < cap || !keep) return;
        auto last_kept = out.begin() + static_cast<std::ptrdiff_t>(*keep - 1);
        std::nth_element(out.begin(), last_kept, out.end(), ahead);
        floor = last_kept->rank;
        auto had = out.size();
        std::erase_if(out, [&](const candidate& c) { return c.rank < floor; });
        dropped = dropped || out.size() < had;
        if (out.size() * 2 > cap) cap *= 2;  // ties with the floor filled it: room for more
    });
    return out;
}

// Reads the candidates' states first in the list's order first until the
// page, and whether more follow, are certain; the rows in the list's order,
// `want` at most plus ties.
std::vector<conversation_view> rows_from(std::vector<candidate>& candidates, const list_query& q, std::size_t want) {
    // Sorted a window at a time, each eight times the last: a page needs
    // the head of the order, and a search that matches little reads on.
    // Once a window would be a quarter of what is left, the rest is sorted
    // whole: a search that matched none of 100,000 went through eleven
    // doubling windows, each a partial sort of all that was left: about
    // 80 ms of its walk, 50 now.
    std::size_t sorted = 0;
    std::optional<std::int64_t> last_needed;
    std::vector<conversation_view> rows;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (i == sorted) {
            auto end = std::min(candidates.size(), sorted + std::max(want, 8 * sorted));
            auto from = candidates.begin() + static_cast<std::ptrdiff_t>(sorted);
            if ((end - sorted) * 4 >= candidates.size() - sorted) {
                end = candidates.size();
                std::sort(from, candidates.end(), ahead);
            } else {
                std::partial_sort(from, candidates.begin() + static_cast<std::ptrdiff_t>(end), candidates.end(), ahead);
            }
            sorted = end;
        }
        // Once `want` rows are in, only ties with the last of them can
        // still change the page (they order by phone).
        if (last_needed && candidates[i].rank < *last_needed) break;
        // Each state read is a few cache misses in a row (the actor, then
        // the state and its count), and its locked instructions let none
        // overlap the next: asked for ahead, in two steps (the actor's
        // line, then the state its hint names), a walk of 100,000 that a
        // search makes took 20 ms, not 38.
        if (i + 16 < sorted) candidates[i + 16].actor->prefetch_current();
        if (i + 8 < sorted) candidates[i + 8].actor->prefetch_state();
        auto record = candidates[i].actor->current();
        if (!passes(q, *record)) continue;
        rows.push_back({std::move(record), std::nullopt});
        if (rows.size() == want) last_needed = candidates[i].rank;
    }
    std::sort(rows.begin(), rows.end(), [&](auto& a, auto& b) { return listed_before(q.by, *a.record, *b.record); });
    return rows;
}

// Longest wait first. Only live and queued chats wait, a few per agent, so
// each one's state is read and the page sorted by when its wait began.
std::vector<conversation_view> listed_by_wait(const activity_board& board, const list_query& q, std::size_t want) {
    struct waiting_row {
        std::int64_t since_ms;
        std::shared_ptr<const conversation> record;
    };
    auto order = [](const waiting_row& a, const waiting_row& b) {
        return a.since_ms != b.since_ms ? a.since_ms < b.since_ms : a.record->phone < b.record->phone;
    };
    auto flags = static_cast<std::uint16_t>(flags_for(q.filter) | list_key::waiting);
    std::vector<waiting_row> found;
    board.for_each([&](const activity_board::slot& s, const conversation_actor& a) {
        if (!s.listed().has(flags, list_key::snoozed)) return;
        auto record = a.current();
        auto since = waiting_since(*record);
        if (!since || record->snoozed_until || !passes(q, *record)) return;
        waiting_row row{to_unix_ms(*since), std::move(record)};
        if (q.after && (row.since_ms != q.after->activity_ms ? row.since_ms < q.after->activity_ms
                                                               : row.record->phone <= q.after->phone))
            return;  // on an earlier page
        found.push_back(std::move(row));
    });
    auto end = found.begin() + static_cast<std::ptrdiff_t>(std::min(want, found.size()));
    std::partial_sort(found.begin(), end, found.end(), order);
    std::vector<conversation_view> rows;
    for (auto it = found.begin(); it != end; ++it) rows.push_back({std::move(it->record), std::nullopt});
    return rows;
}

}  // namespace

list_page listed_on_board(const activity_board& board, const list_query& q) {
    const std::size_t want = q.limit + 1;  // the page, and whether more follow
    if (q.by == list_query::order::waiting) {
        list_page page;
        page.rows = listed_by_wait(board, q, want);
        page.more = page.rows.size() > q.limit;
        if (page.more) page.rows.resize(q.limit);
        return page;
    }
    // The board's flags decide "all", "active", "queued" and "blocked" by themselves,
    // so the newest few suffice; a state that moved on since its slot was
    // read may still fall out, and then the page is read again from all.
    bool board_decides =
        !q.matches && q.filter != list_query::only::assigned_to && q.filter != list_query::only::followed_by;
    bool dropped = false;
    auto candidates = candidates_for(board, q, board_decides ? std::optional(want) : std::nullopt, dropped);
    auto rows = rows_from(candidates, q, want);
    if (dropped && rows.size() < want) {
        candidates = candidates_for(board, q, std::nullopt, dropped);
        rows = rows_from(candidates, q, want);
    }
    list_page page;
    page.more = rows.size() > q.limit;
    if (page.more) rows.resize(q.limit);
    page.rows = std::move(rows);
    return page;
}

}  // namespace switchboard::chat
