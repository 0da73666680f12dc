// Business hours (chat/business_hours.hpp): the flag's form, where a moment
// stands, and what a user is told, across a change of daylight-saving time.
#include "switchboard/chat/business_hours.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using switchboard::timestamp;
using switchboard::chat::business_hours;

namespace {

timestamp at(const char* iso) {
    auto t = switchboard::parse_iso8601(iso);
    BOOST_REQUIRE_MESSAGE(t, iso);
    return *t;
}

std::string refusal(const char* spec, const char* zone = "UTC") {
    try {
        business_hours::parse(spec, zone);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "accepted";
}

std::string refusal_of_days_off(const char* days_off) {
    try {
        business_hours::parse("mon-fri 09:00-17:00", "UTC", days_off);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "accepted";
}

std::string listed(const business_hours& h) {
    std::string out;
    for (auto& r : h.ranges())
        out += std::string(business_hours::weekday_name(r.weekday)) + " " + business_hours::clock_text(r.from) + "-" +
               business_hours::clock_text(r.to) + ";";
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(business_hours_suite)

BOOST_AUTO_TEST_CASE(the_flag_reads_days_spans_and_ranges_and_refuses_what_it_cannot_read) {
    auto h = business_hours::parse(" Mon-Wed 09:00-12:00 , mon 13:00-17:30,saturday 10:00-24:00, fri-sun 20:00-21:00",
                                   "Europe/Berlin");
    BOOST_TEST(listed(h) ==
               "mon 09:00-12:00;mon 13:00-17:30;tue 09:00-12:00;wed 09:00-12:00;fri 20:00-21:00;"
               "sat 10:00-24:00;sun 20:00-21:00;");  // saturday's evening hour is in its day already
    BOOST_TEST(listed(business_hours::parse("mon 09:00-12:00, mon 12:00-13:00, mon 11:00-11:30", "UTC")) ==
               "mon 09:00-13:00;");
    BOOST_TEST(h.zone_name() == "Europe/Berlin");

    BOOST_TEST(refusal("mon-fri 9-17").find("HH:MM-HH:MM") != std::string::npos);
    BOOST_TEST(refusal("mon-fri 09:00-17:60").find("'mon-fri 09:00-17:60'") != std::string::npos);
    BOOST_TEST(refusal("mon-fri 24:00-24:00").find("HH:MM") != std::string::npos);
    BOOST_TEST(refusal("fri 22:00-02:00").find("two entries") != std::string::npos);
    BOOST_TEST(refusal("mon 09:00-09:00").find("after the start") != std::string::npos);
    BOOST_TEST(refusal("weekdays 09:00-17:00").find("days are mon") != std::string::npos);
    BOOST_TEST(refusal("09:00-17:00").find("write the days") != std::string::npos);
    BOOST_TEST(refusal("mon 09:00-12:00 13:00-17:00").find("one range of hours") != std::string::npos);
    BOOST_TEST(refusal("mon 09:00-12:00,,tue 09:00-12:00").find("empty entry") != std::string::npos);
    BOOST_TEST(refusal("  ").find("no hours") != std::string::npos);
    BOOST_TEST(refusal("mon 09:00-17:00", "Mars/Olympus").find("--timezone: 'Mars/Olympus'") != std::string::npos);
    BOOST_TEST(refusal("mon-fri 09:00-17:30") == "accepted");
}

BOOST_AUTO_TEST_CASE(a_moment_is_open_until_the_range_ends_and_closed_until_the_next_one_starts) {
    // 2026-12-03 is a Thursday; Berlin is UTC+1 in winter.
    auto h = business_hours::parse("mon-fri 09:00-12:00, mon-fri 13:00-17:30", "Europe/Berlin");

    auto morning = h.at(at("2026-12-03T08:59:59Z"));  // 09:59:59 in Berlin
    BOOST_TEST(morning.open);
    BOOST_TEST(switchboard::to_iso8601(*morning.change) == "2026-12-03T11:00:00.000Z");

    auto lunch = h.at(at("2026-12-03T11:00:00Z"));  // 12:00 sharp: closed
    BOOST_TEST(!lunch.open);
    BOOST_TEST(switchboard::to_iso8601(*lunch.change) == "2026-12-03T12:00:00.000Z");
    BOOST_TEST(h.describe(*lunch.change, at("2026-12-03T11:00:00Z")) == "today at 13:00 CET");

    auto early = h.at(at("2026-12-03T07:00:00Z"));  // 08:00 in Berlin
    BOOST_TEST(!early.open);
    BOOST_TEST(switchboard::to_iso8601(*early.change) == "2026-12-03T08:00:00.000Z");

    auto evening = h.at(at("2026-12-03T17:00:00Z"));  // Thursday 18:00: back on Friday
    BOOST_TEST(!evening.open);
    BOOST_TEST(h.describe(*evening.change, at("2026-12-03T17:00:00Z")) == "tomorrow at 09:00 CET");

    auto weekend = h.at(at("2026-12-04T20:00:00Z"));  // Friday 21:00: back on Monday
    BOOST_TEST(!weekend.open);
    BOOST_TEST(switchboard::to_iso8601(*weekend.change) == "2026-12-07T08:00:00.000Z");
    BOOST_TEST(h.describe(*weekend.change, at("2026-12-04T20:00:00Z")) == "on Monday at 09:00 CET");

    // Just after local midnight, the same day's opening is today's.
    auto night = h.at(at("2026-12-02T23:30:00Z"));  // Thursday 00:30
    BOOST_TEST(h.describe(*night.change, at("2026-12-02T23:30:00Z")) == "today at 09:00 CET");
}

BOOST_AUTO_TEST_CASE(the_hours_keep_to_the_wall_clock_across_a_change_of_daylight_saving_time) {
    // Berlin went to summer time on Sunday 2026-03-29 at 02:00 (01:00 UTC).
    auto h = business_hours::parse("mon-fri 09:00-17:00", "Europe/Berlin");
    auto friday_night = at("2026-03-27T18:00:00Z");
    auto state = h.at(friday_night);
    BOOST_TEST(!state.open);
    BOOST_TEST(switchboard::to_iso8601(*state.change) == "2026-03-30T07:00:00.000Z");  // 09:00 CEST
    BOOST_TEST(h.describe(*state.change, friday_night) == "on Monday at 09:00 CEST");

    // A range that starts in the hour that does not exist opens when the clocks go on.
    auto gap = business_hours::parse("sun 02:30-04:00", "Europe/Berlin");
    auto saturday = at("2026-03-28T12:00:00Z");
    BOOST_TEST(switchboard::to_iso8601(*gap.at(saturday).change) == "2026-03-29T01:00:00.000Z");
    BOOST_TEST(gap.describe(*gap.at(saturday).change, saturday) == "tomorrow at 03:00 CEST");
}

BOOST_AUTO_TEST_CASE(ranges_that_meet_are_one_opening_and_hours_round_the_clock_never_close) {
    auto always = business_hours::parse("mon-sun 00:00-24:00", "UTC");
    auto state = always.at(at("2026-12-06T23:59:59Z"));  // Sunday night: runs into Monday
    BOOST_TEST(state.open);
    BOOST_TEST(!state.change.has_value());

    // A night shift written as two entries closes when the second ends.
    auto nights = business_hours::parse("fri 22:00-24:00, sat 00:00-02:00", "UTC");
    auto friday_late = nights.at(at("2026-12-04T23:00:00Z"));
    BOOST_TEST(friday_late.open);
    BOOST_TEST(switchboard::to_iso8601(*friday_late.change) == "2026-12-05T02:00:00.000Z");

    // Over the weekend, fri-mon wraps: closed Tuesday, back on Friday.
    auto long_weekend = business_hours::parse("fri-mon 10:00-16:00", "UTC");
    auto tuesday = at("2026-12-08T12:00:00Z");
    BOOST_TEST(!long_weekend.at(tuesday).open);
    BOOST_TEST(long_weekend.describe(*long_weekend.at(tuesday).change, tuesday) == "on Friday at 10:00 UTC");
}

BOOST_AUTO_TEST_CASE(days_off_are_skipped_and_an_opening_a_week_or_more_away_is_named_by_its_date) {
    auto h = business_hours::parse("mon-fri 09:00-17:00", "Europe/Berlin", " 2026-12-24,2026-12-25, 2026-12-31,2027-01-01,2026-12-25");
    BOOST_TEST((h.days_off() == std::vector<std::string>{"2026-12-24", "2026-12-25", "2026-12-31", "2027-01-01"}));

    auto christmas_eve = at("2026-12-24T10:00:00Z");  // a Thursday, off: back on Monday the 28th
    auto state = h.at(christmas_eve);
    BOOST_TEST(!state.open);
    BOOST_TEST(switchboard::to_iso8601(*state.change) == "2026-12-28T08:00:00.000Z");
    BOOST_TEST(h.describe(*state.change, christmas_eve) == "on Monday at 09:00 CET");

    // Open on Wednesday the 30th until 17:00, then closed over the new year to Monday the 4th.
    auto wednesday = h.at(at("2026-12-30T15:00:00Z"));
    BOOST_TEST(wednesday.open);
    BOOST_TEST(switchboard::to_iso8601(*wednesday.change) == "2026-12-30T16:00:00.000Z");
    BOOST_TEST(switchboard::to_iso8601(*h.at(at("2026-12-30T16:00:00Z")).change) == "2027-01-04T08:00:00.000Z");

    // Two weeks off: "on Monday" would be next week's.
    auto closed = business_hours::parse("mon-fri 09:00-17:00", "UTC",
                                        "2026-12-07,2026-12-08,2026-12-09,2026-12-10,2026-12-11,"
                                        "2026-12-14,2026-12-15,2026-12-16,2026-12-17,2026-12-18");
    auto friday = at("2026-12-04T18:00:00Z");
    BOOST_TEST(switchboard::to_iso8601(*closed.at(friday).change) == "2026-12-21T09:00:00.000Z");
    BOOST_TEST(closed.describe(*closed.at(friday).change, friday) == "on Monday 21 December at 09:00 UTC");

    // Round the clock but for one day: closes at that day's start.
    auto always = business_hours::parse("mon-sun 00:00-24:00", "UTC", "2026-12-25");
    auto before = always.at(at("2026-12-20T12:00:00Z"));
    BOOST_TEST(before.open);
    BOOST_TEST(switchboard::to_iso8601(*before.change) == "2026-12-25T00:00:00.000Z");

    BOOST_TEST(refusal_of_days_off("2026-02-30").find("--days-off: '2026-02-30' is not a date") != std::string::npos);
    BOOST_TEST(refusal_of_days_off("25.12.2026").find("YYYY-MM-DD") != std::string::npos);
    BOOST_TEST(refusal_of_days_off("2026-12-25x").find("'2026-12-25x'") != std::string::npos);
    BOOST_TEST(refusal_of_days_off("2026-+1-05").find("is not a date") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_wait_counts_only_the_time_within_the_hours) {
    auto h = business_hours::parse("mon-fri 09:00-12:00, mon-fri 13:00-17:00", "Europe/Berlin", "2026-12-08");
    // Friday 16:50 to Monday 09:10 in Berlin: ten minutes on each side of the weekend.
    BOOST_TEST(h.open_seconds(at("2026-12-04T15:50:00Z"), at("2026-12-07T08:10:00Z")) == 1200.0);
    // Over lunch: 11:50 to 13:20 is 10 + 20 minutes.
    BOOST_TEST(h.open_seconds(at("2026-12-07T10:50:00Z"), at("2026-12-07T12:20:00Z")) == 1800.0);
    // Monday 16:00 to Wednesday 09:30, Tuesday a day off: an hour and half an hour.
    BOOST_TEST(h.open_seconds(at("2026-12-07T15:00:00Z"), at("2026-12-09T08:30:00Z")) == 5400.0);
    // All outside, and backwards.
    BOOST_TEST(h.open_seconds(at("2026-12-05T10:00:00Z"), at("2026-12-06T10:00:00Z")) == 0.0);
    BOOST_TEST(h.open_seconds(at("2026-12-07T12:00:00Z"), at("2026-12-07T10:00:00Z")) == 0.0);
    // Across the change to summer time, 09:00 is 09:00: Friday 27 March 16:00 CET to Monday 30 March 10:00 CEST.
    BOOST_TEST(h.open_seconds(at("2026-03-27T15:00:00Z"), at("2026-03-30T08:00:00Z")) == 7200.0);
}

BOOST_AUTO_TEST_CASE(a_time_within_the_hours_is_found_after_a_start) {
    using std::chrono::minutes;
    auto h = business_hours::parse("mon-fri 09:00-12:00, mon-fri 13:00-17:00", "Europe/Berlin", "2026-12-08");
    auto when = [&](const char* from, minutes m) { return switchboard::to_iso8601(h.after_open_seconds(at(from), m)); };
    // Friday 16:50 in Berlin, 30 minutes: ten on Friday, twenty on Monday.
    BOOST_TEST(when("2026-12-04T15:50:00Z", minutes{30}) == "2026-12-07T08:20:00.000Z");
    // Within the hours, as the wall clock.
    BOOST_TEST(when("2026-12-07T09:00:00Z", minutes{30}) == "2026-12-07T09:30:00.000Z");
    // Over lunch, and over Tuesday's day off.
    BOOST_TEST(when("2026-12-07T10:50:00Z", minutes{30}) == "2026-12-07T12:20:00.000Z");
    BOOST_TEST(when("2026-12-07T15:30:00Z", minutes{60}) == "2026-12-09T08:30:00.000Z");
    // From a closed night: the count starts when they open.
    BOOST_TEST(when("2026-12-06T22:00:00Z", minutes{1}) == "2026-12-07T08:01:00.000Z");
    // It undoes open_seconds.
    BOOST_TEST(h.open_seconds(at("2026-12-04T15:50:00Z"), at("2026-12-07T08:20:00Z")) == 1800.0);
}

// Summer time's changes, as the console's OpenClock counts them too (its
// browser test holds the same cases): an opening the spring skips starts at
// the change; an hour the autumn repeats counts twice.
BOOST_AUTO_TEST_CASE(a_time_within_the_hours_is_found_across_summer_time) {
    using std::chrono::minutes;
    auto spring = business_hours::parse("mon-sun 02:30-04:00", "Europe/Berlin");
    auto when = [](const business_hours& h, const char* from, minutes m) {
        return switchboard::to_iso8601(h.after_open_seconds(at(from), m));
    };
    // 2026-03-29: 02:00 CET is 03:00 CEST (01:00Z); 02:30 never comes.
    BOOST_TEST(when(spring, "2026-03-29T00:00:00Z", minutes{30}) == "2026-03-29T01:30:00.000Z");
    BOOST_TEST(when(spring, "2026-03-28T03:00:00Z", minutes{90}) == "2026-03-30T01:00:00.000Z");
    // 2026-10-25: 03:00 CEST is 02:00 CET (01:00Z); 01:00-03:00 is three hours.
    auto autumn = business_hours::parse("mon-sun 01:00-03:00", "Europe/Berlin");
    BOOST_TEST(when(autumn, "2026-10-24T23:00:00Z", minutes{150}) == "2026-10-25T01:30:00.000Z");
    BOOST_TEST(when(autumn, "2026-10-24T23:00:00Z", minutes{181}) == "2026-10-26T00:01:00.000Z");
    // A close within the repeated hour is its later one: 02:30 CET.
    auto repeated = business_hours::parse("mon-sun 00:00-02:30", "Europe/Berlin");
    BOOST_TEST(when(repeated, "2026-10-24T22:00:00Z", minutes{210}) == "2026-10-25T01:30:00.000Z");
    BOOST_TEST(when(repeated, "2026-10-24T22:00:00Z", minutes{211}) == "2026-10-25T23:01:00.000Z");
}

BOOST_AUTO_TEST_SUITE_END()
