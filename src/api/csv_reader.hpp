// Reading a CSV file that a person exported from a spreadsheet or a CRM
// (RFC 4180: fields quoted with ", "" for a quote inside, CRLF or LF
// between records). Internal to src/api.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::api {

struct csv_record {
    std::size_t line = 0;  // the line of the file it starts on, from 1
    std::vector<std::string> fields;
};

// Why a file is not CSV, and where.
struct csv_error : std::runtime_error {
    csv_error(std::size_t line, const std::string& what)
        : std::runtime_error("line " + std::to_string(line) + ": " + what), line(line) {}
    std::size_t line;
};

// Every record of `text`, blank lines left out. A UTF-8 byte order mark
// (as spreadsheets save one) is skipped; the fields are separated by
// commas, or by semicolons when the first line has those and no comma (as
// a spreadsheet in a locale with a decimal comma saves it). Throws
// csv_error for a quoted field that never ends or that text follows.
std::vector<csv_record> read_csv(std::string_view text);

}  // namespace switchboard::api
