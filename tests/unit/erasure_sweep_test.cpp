// The sweep the event log's erasures share: which blocks each job reads,
// when each is done, and that jobs that come one after another while it
// goes cost the log no more than two sweeps.
#include "../../src/store/erasure_sweep.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

using namespace switchboard;
using store::erasure_sweep;
using store::sweep_job;

namespace {

sweep_job job(std::int64_t id, const std::string& phone, std::int64_t last_block) {
    return {id, {phone, 1000}, 0, last_block, false};
}

store::conversation_filter holding_any() {
    store::conversation_filter f;
    f.add(0);
    return f;
}

// A log of blocks 1..blocks read by `sweep` a part of `part` blocks at a
// time: for each phone, the blocks it was asked to erase, and the order in
// which the jobs were done. Each block's filter holds `holds`.
struct sweep_run {
    store::conversation_filter holds = holding_any();
    std::map<std::string, std::vector<std::int64_t>> read;
    std::vector<std::string> done;
    int blocks_read = 0;

    void part(erasure_sweep& sweep, std::int64_t blocks, int part) {
        auto upto = std::min(sweep.upto(), blocks);
        auto to = sweep.after();
        for (int n = 0; n < part && to < upto; ++n) {
            ++to;
            ++blocks_read;
            for (auto phone : phones_in(sweep.eraser_for(to, holds), sweep)) read[phone].push_back(to);
        }
        for (auto& j : sweep.read_to(to, to == upto)) done.push_back(j.erased.phone);
    }

    // The jobs' phones an eraser made for a block holds: each job's phone
    // tried on an envelope of its own.
    static std::vector<std::string> phones_in(const events::envelope_eraser& eraser, const erasure_sweep& sweep) {
        std::vector<std::string> phones;
        for (auto& j : sweep.jobs()) {
            std::string text;
            events::begin_envelope(text, "message.created", j.erased.phone);
            text += "{}";
            events::end_envelope(text, from_unix_ms(0));
            events::number_envelope(text, 1);
            if (eraser(1, text)) phones.push_back(j.erased.phone);
        }
        return phones;
    }
};

std::vector<std::int64_t> ids(std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> out;
    for (auto i = from; i <= to; ++i) out.push_back(i);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(erasure_sweep_suite)

// Alone, a job reads every block up to its last, once, and is done at the end.
BOOST_AUTO_TEST_CASE(a_job_alone_reads_each_block_up_to_its_last_once) {
    erasure_sweep sweep;
    sweep_run run;
    sweep.add(job(1, "a", 10));
    run.part(sweep, 12, 4);
    run.part(sweep, 12, 4);
    BOOST_TEST(run.done.empty());
    run.part(sweep, 12, 4);
    BOOST_TEST(run.read["a"] == ids(1, 10));
    BOOST_TEST((run.done == std::vector<std::string>{"a"}));
    BOOST_TEST(!sweep.busy());
    BOOST_TEST(sweep.after() == 0);  // the next begins at the first block
}

// One that comes part way joins the sweep there, goes on to its own last
// block, round to the first, and is done back where it joined; meanwhile
// the first job, done at the end, reads nothing twice.
BOOST_AUTO_TEST_CASE(a_job_that_comes_part_way_joins_there_and_goes_round) {
    erasure_sweep sweep;
    sweep_run run;
    sweep.add(job(1, "a", 10));
    run.part(sweep, 14, 4);  // 1..4
    sweep.add(job(2, "b", 14));
    BOOST_TEST(sweep.jobs().back().joined_after == 4);
    run.part(sweep, 14, 4);   // 5..8
    run.part(sweep, 14, 4);   // 9..12
    run.part(sweep, 14, 4);   // 13..14: the end
    BOOST_TEST((run.done == std::vector<std::string>{"a"}));
    run.part(sweep, 14, 4);  // 1..4: b is back where it joined
    BOOST_TEST(run.read["a"] == ids(1, 10));
    BOOST_TEST(run.read["b"] == (std::vector<std::int64_t>{5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 1, 2, 3, 4}));
    BOOST_TEST((run.done == std::vector<std::string>{"a", "b"}));
    BOOST_TEST(!sweep.busy());
}

// An admin who erases users one after another while the sweep goes: each
// joins it, and all that come during one sweep are done by the end of the
// next, two sweeps of the log, not one each.
BOOST_AUTO_TEST_CASE(jobs_that_come_during_a_sweep_cost_two_at_most) {
    erasure_sweep sweep;
    sweep_run run;
    constexpr std::int64_t blocks = 100;
    for (int i = 0; i < 20; ++i) {
        sweep.add(job(i + 1, "u" + std::to_string(i), blocks));
        run.part(sweep, blocks, 4);
    }
    while (sweep.busy()) run.part(sweep, blocks, 8);
    BOOST_TEST(run.done.size() == 20u);
    BOOST_TEST(run.blocks_read <= 2 * blocks, run.blocks_read);
    for (auto& [phone, read] : run.read) {
        std::set<std::int64_t> each(read.begin(), read.end());
        BOOST_TEST(read.size() == static_cast<std::size_t>(blocks), phone);  // every block, once
        BOOST_TEST(each.size() == static_cast<std::size_t>(blocks), phone);
    }
}

// A block whose filter does not hold a job's conversation is not read for
// it; one the filter may hold is.
BOOST_AUTO_TEST_CASE(a_block_whose_filter_does_not_hold_the_conversation_is_passed_over) {
    erasure_sweep sweep;
    sweep_run run;
    run.holds = {};
    run.holds.add(events::conversation_key("a"));
    sweep.add(job(1, "a", 3));
    sweep.add(job(2, "b", 3));
    run.part(sweep, 3, 3);
    BOOST_TEST(run.read["a"] == ids(1, 3));
    BOOST_TEST(run.read["b"].empty());
    BOOST_TEST(run.done.size() == 2u);  // done all the same: it was not there
}

// The filter holds each conversation put in it, and at a few dozen a block
// few others: an erasure unpacks a small share of the blocks it is not in.
BOOST_AUTO_TEST_CASE(a_filter_holds_its_conversations_and_few_others) {
    store::conversation_filter f;
    for (int i = 0; i < 30; ++i) f.add(events::conversation_key("1555000" + std::to_string(i)));
    for (int i = 0; i < 30; ++i) BOOST_TEST(f.may_hold(events::conversation_key("1555000" + std::to_string(i))));
    int others = 0;
    for (int i = 0; i < 10000; ++i) others += f.may_hold(events::conversation_key("1666000" + std::to_string(i)));
    BOOST_TEST(others < 1000, others << " of 10,000 others");
    BOOST_TEST(store::conversation_filter::from_bytes(f.bytes()).bits == f.bits);
    BOOST_TEST(store::conversation_filter::from_bytes("").may_hold(12345));  // none kept: any
    store::conversation_filter unknown;
    unknown.add(0);
    BOOST_TEST(unknown.may_hold(events::conversation_key("anyone")));
}

// The stored filters hold keys written by builds before this one: a key is
// spelt out (FNV-1a's constants, a word at a time), the same in every build
// (std::hash need not be). Worked by hand for these.
BOOST_AUTO_TEST_CASE(a_conversations_key_is_the_same_in_every_build) {
    BOOST_TEST(events::conversation_key("15550001") == 577821159u);  // one word
    BOOST_TEST(events::conversation_key("") == 1430861382u);
    BOOST_TEST(events::conversation_key("15550001") != events::conversation_key("15550002"));
}

// After a restart: the jobs kept go on as they were, from where the sweep was.
BOOST_AUTO_TEST_CASE(jobs_kept_go_on_after_a_restart_from_where_the_sweep_was) {
    erasure_sweep sweep(6);
    sweep_run run;
    sweep.go_on_with({1, {"a", 1000}, 0, 10, false});     // read 1..6 before the stop
    sweep.go_on_with({2, {"b", 1000}, 8, 10, true});      // went round, read 9, 10 and 1..6
    run.part(sweep, 10, 10);
    BOOST_TEST(run.read["a"] == ids(7, 10));
    BOOST_TEST(run.read["b"] == ids(7, 8));
    BOOST_TEST((run.done == std::vector<std::string>{"b", "a"}));
}

BOOST_AUTO_TEST_SUITE_END()
