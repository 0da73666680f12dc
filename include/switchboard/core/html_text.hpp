// Text put in a web page as text: for the pages the server writes itself
// (a transcript's mail), where a user's words must never be markup.
#pragma once

#include <string>
#include <string_view>

namespace switchboard {

// `text` with & < > " ' as character references; each line break as <br>
// when `breaks` (a message's lines).
std::string html_escaped(std::string_view text, bool breaks = false);

}  // namespace switchboard
