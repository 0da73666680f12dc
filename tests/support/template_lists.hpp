// Meta's answers to GET /{waba_id}/message_templates that the tests' Graph
// API stand-in gives, one page each.
#pragma once

namespace switchboard::test {

// One approved marketing template, a value in its body: what campaigns send.
inline constexpr const char* winter_sale_templates = R"({"data":[
    {"name":"winter_sale","language":"en_US","status":"APPROVED","category":"MARKETING",
     "components":[{"type":"BODY","text":"Hi! {{1}} off everything this week."}]}]})";

}  // namespace switchboard::test
